-- 001_initial_schema.sql
-- Initial AGoat Publisher schema: customers, sites, users (with Azure Entra ID
-- fields), posts and azure_entra_config; soft delete (deleted_at) on every table,
-- partial indexes over live rows, a shared updated_at trigger, and the default
-- customer and site.
-- Idempotent: every statement can run again without error. Valid on PostgreSQL 13
-- to 18 (gen_random_uuid() is built in since 13). The tracking table
-- (schema_migrations) belongs to the migration tool and is not created here.

-- Shared trigger function: keep updated_at current on every UPDATE.
CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

-- Customers: the tenants of the multitenant architecture.
CREATE TABLE IF NOT EXISTS customers (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text        NOT NULL,
    email             text        NOT NULL,
    status            text        NOT NULL DEFAULT 'active',
    subscription_plan text        NOT NULL DEFAULT 'free',
    max_sites         integer     NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    CONSTRAINT customers_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT customers_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT customers_status_check
        CHECK (status IN ('active', 'trial', 'suspended', 'cancelled')),
    CONSTRAINT customers_subscription_plan_check
        CHECK (subscription_plan IN ('free', 'starter', 'professional', 'enterprise')),
    CONSTRAINT customers_max_sites_check CHECK (max_sites > 0)
);

-- Sites: each belongs to one customer; the slug is unique within the customer.
CREATE TABLE IF NOT EXISTS sites (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid        NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    slug        text        NOT NULL,
    domain      text,
    status      text        NOT NULL DEFAULT 'active',
    template    text        NOT NULL DEFAULT 'default',
    settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT sites_customer_id_slug_key UNIQUE (customer_id, slug),
    CONSTRAINT sites_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT sites_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT sites_status_check CHECK (status IN ('active', 'inactive', 'suspended')),
    CONSTRAINT sites_settings_check CHECK (jsonb_typeof(settings) = 'object')
);

-- Users: local accounts or Azure Entra ID identities.
CREATE TABLE IF NOT EXISTS users (
    id                        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email                     text        NOT NULL,
    username                  text,
    display_name              text,
    password_hash             text,
    auth_method               text        NOT NULL DEFAULT 'local',
    email_verified            boolean     NOT NULL DEFAULT false,
    azure_entra_id            text,
    azure_tenant_id           text,
    azure_user_principal_name text,
    azure_last_sync_at        timestamptz,
    last_login_at             timestamptz,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    deleted_at                timestamptz,
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT users_auth_method_check CHECK (auth_method IN ('local', 'azure_entra')),
    CONSTRAINT users_azure_entra_check
        CHECK (auth_method <> 'azure_entra' OR azure_entra_id IS NOT NULL)
);

-- Posts: content of a site, written by a user. The slug is unique within the site.
-- A post outlives its author's account (user_id becomes NULL).
CREATE TABLE IF NOT EXISTS posts (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        REFERENCES users (id) ON DELETE SET NULL,
    site_id      uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    title        text        NOT NULL,
    content      text        NOT NULL DEFAULT '',
    excerpt      text,
    slug         text        NOT NULL,
    status       text        NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CONSTRAINT posts_site_id_slug_key UNIQUE (site_id, slug),
    CONSTRAINT posts_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT posts_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT posts_status_check
        CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    CONSTRAINT posts_published_at_check
        CHECK (status NOT IN ('scheduled', 'published') OR published_at IS NOT NULL)
);

-- Azure Entra ID application settings (one per tenant and client, optionally per
-- customer). Client secrets belong in a secret store, not in this table.
CREATE TABLE IF NOT EXISTS azure_entra_config (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id   uuid        REFERENCES customers (id) ON DELETE CASCADE,
    tenant_id     text        NOT NULL,
    client_id     text        NOT NULL,
    authority_url text,
    redirect_uri  text,
    scopes        text[]      NOT NULL DEFAULT ARRAY['openid', 'profile', 'email'],
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    CONSTRAINT azure_entra_config_tenant_id_client_id_key UNIQUE (tenant_id, client_id)
);

-- Indexes; all but idx_posts_published cover live (not soft-deleted) rows only.
CREATE INDEX IF NOT EXISTS idx_customers_status
    ON customers (status) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_customers_email
    ON customers (email) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_sites_customer_id
    ON sites (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_sites_slug
    ON sites (slug) WHERE deleted_at IS NULL;
-- One live account per email address and per Azure Entra ID object.
CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email
    ON users (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS idx_users_azure_entra_id
    ON users (azure_entra_id) WHERE azure_entra_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_posts_site_id
    ON posts (site_id) WHERE deleted_at IS NULL;
-- Published, live posts of a site, newest first.
CREATE INDEX IF NOT EXISTS idx_posts_published
    ON posts (site_id, published_at DESC) WHERE status = 'published' AND deleted_at IS NULL;
-- Supports ON DELETE SET NULL from users and "posts by author".
CREATE INDEX IF NOT EXISTS idx_posts_user_id
    ON posts (user_id) WHERE deleted_at IS NULL;

-- updated_at triggers (PostgreSQL has no CREATE TRIGGER IF NOT EXISTS, and
-- CREATE OR REPLACE TRIGGER needs 14, so drop and create).
DROP TRIGGER IF EXISTS update_customers_updated_at ON customers;
CREATE TRIGGER update_customers_updated_at
    BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_sites_updated_at ON sites;
CREATE TRIGGER update_sites_updated_at
    BEFORE UPDATE ON sites
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_users_updated_at ON users;
CREATE TRIGGER update_users_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_posts_updated_at ON posts;
CREATE TRIGGER update_posts_updated_at
    BEFORE UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_azure_entra_config_updated_at ON azure_entra_config;
CREATE TRIGGER update_azure_entra_config_updated_at
    BEFORE UPDATE ON azure_entra_config
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Default customer and site, with fixed well-known ids.
INSERT INTO customers (id, name, email, status, subscription_plan, max_sites)
VALUES ('00000000-0000-0000-0000-000000000001', 'Default Customer', 'admin@example.com',
        'active', 'enterprise', 100)
ON CONFLICT DO NOTHING;

INSERT INTO sites (id, customer_id, name, slug, status, template)
SELECT '00000000-0000-0000-0000-000000000001', c.id, 'Default Site', 'default',
       'active', 'default'
FROM customers AS c
WHERE c.id = '00000000-0000-0000-0000-000000000001'
ON CONFLICT DO NOTHING;
