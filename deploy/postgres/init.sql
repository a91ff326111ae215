-- For docker-compose: one role and one database per service, as deploy/infra.sh creates them without Docker.
CREATE ROLE firms LOGIN PASSWORD 'firms';
CREATE DATABASE firms OWNER firms;
CREATE ROLE banks LOGIN PASSWORD 'banks';
CREATE DATABASE banks OWNER banks;
CREATE ROLE matcher LOGIN PASSWORD 'matcher';
CREATE DATABASE matcher OWNER matcher;
CREATE ROLE oversight LOGIN PASSWORD 'oversight';
CREATE DATABASE oversight OWNER oversight;
CREATE ROLE notifier LOGIN PASSWORD 'notifier';
CREATE DATABASE notifier OWNER notifier;
