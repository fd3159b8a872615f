-- 002_cognito_ciam_support.sql
-- AWS Cognito and multi-CIAM support: the ciam_systems catalogue (seeded with
-- cognito and azure_entra), user_ciam_mappings (many identities per user, at most
-- one current, enforced by a unique partial index), Cognito columns on users,
-- 'cognito' as an auth_method, and a mapping for every existing Azure Entra ID user.
-- Idempotent: every statement can run again without error. Valid on PostgreSQL 13
-- to 18. Relies on update_updated_at_column() from 001_initial_schema.sql.

-- CIAM systems an app user can authenticate with.
CREATE TABLE IF NOT EXISTS ciam_systems (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    system_name   text        NOT NULL,
    display_name  text        NOT NULL,
    jwks_url      text,
    issuer_url    text,
    configuration jsonb       NOT NULL DEFAULT '{}'::jsonb,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ciam_systems_system_name_key UNIQUE (system_name),
    CONSTRAINT ciam_systems_system_name_check CHECK (system_name ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT ciam_systems_configuration_check CHECK (jsonb_typeof(configuration) = 'object')
);

-- jwks_url and issuer_url depend on the deployment (user pool, tenant): they stay
-- NULL here, the URL templates are in configuration. A re-run leaves rows that an
-- operator has configured untouched.
INSERT INTO ciam_systems (system_name, display_name, configuration, is_active)
VALUES
    ('cognito', 'AWS Cognito',
     '{"jwks_url_template": "https://cognito-idp.{region}.amazonaws.com/{user_pool_id}/.well-known/jwks.json",
       "issuer_url_template": "https://cognito-idp.{region}.amazonaws.com/{user_pool_id}",
       "identifier_claim": "sub",
       "token_use": "id"}'::jsonb,
     true),
    ('azure_entra', 'Microsoft Entra ID',
     '{"jwks_url_template": "https://login.microsoftonline.com/{tenant_id}/discovery/v2.0/keys",
       "issuer_url_template": "https://login.microsoftonline.com/{tenant_id}/v2.0",
       "identifier_claim": "oid"}'::jsonb,
     true)
ON CONFLICT (system_name) DO NOTHING;

-- Identities of app users in CIAM systems. Old identities stay as history
-- (is_current_ciam = false); at most one per user is current.
CREATE TABLE IF NOT EXISTS user_ciam_mappings (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    app_user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ciam_identifier       text        NOT NULL,
    ciam_system           text        NOT NULL
        REFERENCES ciam_systems (system_name) ON UPDATE CASCADE ON DELETE RESTRICT,
    is_current_ciam       boolean     NOT NULL DEFAULT false,
    metadata              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    last_authenticated_at timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_ciam_mappings_ciam_system_ciam_identifier_key
        UNIQUE (ciam_system, ciam_identifier),
    CONSTRAINT user_ciam_mappings_ciam_identifier_check CHECK (btrim(ciam_identifier) <> ''),
    CONSTRAINT user_ciam_mappings_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

-- The database enforces a single current CIAM mapping per user.
CREATE UNIQUE INDEX IF NOT EXISTS idx_user_ciam_mappings_current
    ON user_ciam_mappings (app_user_id) WHERE is_current_ciam;
-- All mappings of a user (history) and ON DELETE CASCADE from users.
CREATE INDEX IF NOT EXISTS idx_user_ciam_mappings_app_user_id
    ON user_ciam_mappings (app_user_id);

DROP TRIGGER IF EXISTS update_ciam_systems_updated_at ON ciam_systems;
CREATE TRIGGER update_ciam_systems_updated_at
    BEFORE UPDATE ON ciam_systems
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_user_ciam_mappings_updated_at ON user_ciam_mappings;
CREATE TRIGGER update_user_ciam_mappings_updated_at
    BEFORE UPDATE ON user_ciam_mappings
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Cognito fields on users.
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS cognito_sub          text,
    ADD COLUMN IF NOT EXISTS cognito_username     text,
    ADD COLUMN IF NOT EXISTS cognito_user_pool_id text,
    ADD COLUMN IF NOT EXISTS cognito_last_sync_at timestamptz;

CREATE UNIQUE INDEX IF NOT EXISTS idx_users_cognito_sub
    ON users (cognito_sub) WHERE cognito_sub IS NOT NULL AND deleted_at IS NULL;

-- Allow 'cognito' as an auth_method (drop and re-add: idempotent).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_auth_method_check;
ALTER TABLE users ADD CONSTRAINT users_auth_method_check
    CHECK (auth_method IN ('local', 'azure_entra', 'cognito'));

-- Existing Azure Entra ID users get a mapping. It becomes their current one only
-- when they have no current mapping yet; a re-run inserts nothing twice.
INSERT INTO user_ciam_mappings (app_user_id, ciam_identifier, ciam_system, is_current_ciam)
SELECT u.id,
       u.azure_entra_id,
       'azure_entra',
       NOT EXISTS (
           SELECT 1
           FROM user_ciam_mappings AS m
           WHERE m.app_user_id = u.id AND m.is_current_ciam
       )
FROM users AS u
WHERE u.azure_entra_id IS NOT NULL
  AND u.deleted_at IS NULL
ON CONFLICT DO NOTHING;
