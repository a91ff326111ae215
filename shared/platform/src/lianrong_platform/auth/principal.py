"""Who is calling: a role and the firm, bank or officer the caller acts for."""

from __future__ import annotations

from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator


class Role(StrEnum):
    SME = "sme"  # 中小微企业: acts for one firm
    CHAIN_MASTER = "chain_master"  # 链主企业: acts for one firm that leads a chain
    OFFICER = "officer"  # 制造业金融服务官: acts for one officer of one bank
    BANK_ADMIN = "bank_admin"  # manages one bank's products and officers
    BANK_SYSTEM = "bank_system"  # a bank's own core system (service account): its bank's webhooks and inbox
    REGULATOR = "regulator"  # 中国人民银行东莞市分行: aggregates only
    # 融资需求调度: a task force officer (金融工作局, 人民银行, 工信局 or a town's), for the whole city or some towns
    COORDINATOR = "coordinator"
    ADMIN = "admin"  # platform operator: reference data


# The subject each role must name, so a handler never meets an SME without a firm.
REQUIRED_SUBJECTS: dict[Role, tuple[str, ...]] = {
    Role.SME: ("firm_id",),
    Role.CHAIN_MASTER: ("firm_id",),
    Role.OFFICER: ("bank_id", "officer_id"),
    Role.BANK_ADMIN: ("bank_id",),
    Role.BANK_SYSTEM: ("bank_id",),
    Role.REGULATOR: (),
    Role.COORDINATOR: (),
    Role.ADMIN: (),
}


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    firm_id: UUID | None = None
    bank_id: UUID | None = None
    officer_id: UUID | None = None
    # A coordinator's scope: these towns (镇街 codes), or the whole city when None.
    towns: tuple[str, ...] | None = None

    def covers_town(self, town: str) -> bool:
        return self.towns is None or town in self.towns

    @model_validator(mode="after")
    def _names_its_subject(self) -> Self:
        missing = [f for f in REQUIRED_SUBJECTS[self.role] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"role {self.role} needs {', '.join(missing)}")
        return self
