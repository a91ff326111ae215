"""The fault suite: needs through the API while processes, a broker and PostgreSQL are killed, then a reconciliation
of every acknowledged need against every database and topic. `make chaos` (deploy/chaos/run.sh) runs it."""
