// One function per page; each renders into #view and returns a cleanup function (for live streams).
const PAGES = {};
const HOME = { sme: "#/sme", chain_master: "#/chain-master", officer: "#/officer", bank_admin: "#/bank", regulator: "#/pboc",
               coordinator: "#/desk",
               admin: "#/pboc" };
