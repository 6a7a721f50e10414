-- Fixture data for the mysql: table tests: users, aliases, domains, and
-- rows that exercise escaping, NULLs, empty values and stored procedures.
CREATE DATABASE ferry_test CHARACTER SET utf8mb4;
USE ferry_test;

CREATE TABLE domains (domain VARCHAR(255) PRIMARY KEY, transport VARCHAR(255))
  CHARACTER SET utf8mb4;
INSERT INTO domains VALUES
  ('example.com', 'smtp:[mx.example.com]'),
  ('example.org', 'lmtp:unix:private/dovecot'),
  ('mail.example.net', 'relay:[relay.example.net]:587');

CREATE TABLE users (address VARCHAR(255) PRIMARY KEY, maildir VARCHAR(255),
                    active TINYINT NOT NULL DEFAULT 1) CHARACTER SET utf8mb4;
INSERT INTO users VALUES
  ('alice@example.com', 'example.com/alice/', 1),
  ('bob@example.com', 'example.com/bob/', 1),
  ('carol@example.org', 'example.org/carol/', 0),
  ('dave@mail.example.net', 'mail.example.net/dave/', 1),
  ('josé@example.com', 'example.com/jose/', 1),
  ('o''brien@example.com', 'example.com/obrien/', 1),
  ('back\\slash@example.com', 'example.com/backslash/', 1),
  ('pct%x@example.com', 'example.com/pct/', 1),
  ('under_score@example.com', 'example.com/under/', 1),
  ('nul\0byte@example.com', 'example.com/nul/', 1),
  ('localonly', 'local/only/', 1);

CREATE TABLE aliases (alias VARCHAR(255), goto VARCHAR(255), extra VARCHAR(255))
  CHARACTER SET utf8mb4;
INSERT INTO aliases VALUES
  ('postmaster@example.com', 'alice@example.com', NULL),
  ('team@example.com', 'alice@example.com', NULL),
  ('team@example.com', 'bob@example.com', NULL),
  ('team@example.com', 'carol@example.org', NULL),
  ('list@example.com', 'alice@example.com', 'bob@example.com'),
  ('nulls@example.com', NULL, 'dave@mail.example.net'),
  ('empty@example.com', '', 'bob@example.com'),
  ('nodomain@example.com', 'justlocal', 'x@example.org'),
  ('atstart@example.com', '@example.org', 'y@example.org'),
  ('abuse', 'root', NULL),
  ('big@example.com', 'a1@example.com', NULL),
  ('big@example.com', 'a2@example.com', NULL),
  ('big@example.com', 'a3@example.com', NULL),
  ('big@example.com', 'a4@example.com', NULL),
  ('upper@example.com', 'MiXeD@Example.COM', NULL);

DELIMITER //
CREATE PROCEDURE lookup_alias(IN k VARCHAR(255))
  READS SQL DATA SQL SECURITY INVOKER
BEGIN
  SELECT goto FROM aliases WHERE alias = k;
END //
CREATE PROCEDURE no_result(IN k VARCHAR(255))
  MODIFIES SQL DATA SQL SECURITY INVOKER
BEGIN
  SET @last = k;
END //
CREATE PROCEDURE two_results(IN k VARCHAR(255))
  READS SQL DATA SQL SECURITY INVOKER
BEGIN
  SELECT goto FROM aliases WHERE alias = k;
  SELECT 'second';
END //
DELIMITER ;

CREATE USER 'postfix'@'127.0.0.1' IDENTIFIED BY 'Pf-secret';
CREATE USER 'postfix'@'localhost' IDENTIFIED BY 'Pf-secret';
GRANT SELECT, EXECUTE ON ferry_test.* TO 'postfix'@'127.0.0.1';
GRANT SELECT, EXECUTE ON ferry_test.* TO 'postfix'@'localhost';
FLUSH PRIVILEGES;

-- A user that may only connect over TLS (tls_* parameters).
CREATE USER 'tlsuser'@'127.0.0.1' IDENTIFIED BY 'Tls-secret' REQUIRE SSL;
GRANT SELECT ON ferry_test.* TO 'tlsuser'@'127.0.0.1';
-- A user without rights on the database (a query error, not a connect error).
CREATE USER 'norights'@'127.0.0.1' IDENTIFIED BY 'No-secret';
FLUSH PRIVILEGES;
