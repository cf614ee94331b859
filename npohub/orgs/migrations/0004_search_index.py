"""Registry search index (see npohub/orgs/search.py for the query side).

One searchable "body" per organisation, kept by SQL triggers so every write path (services,
bulk loads, raw SQL, admin) keeps it current:

    body = lower_ascii(name) \\n lower_ascii(former name 1) \\n … \\n initials of each name

``orgs_search_doc(org_id, body)`` holds it on both engines. On SQLite an FTS5 table with the
``trigram`` tokenizer (external content = the doc table, case-sensitive because the body is
already ASCII-lowered) answers terms of 3+ characters; on PostgreSQL a pg_trgm GIN index on the
body does. Terms of 1–2 characters never touch a trigram index (SQLite 3.40 returns silently
empty results; pg_trgm has no selectivity there): they scan the narrow doc table.
"""

from django.db import migrations

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = "abcdefghijklmnopqrstuvwxyz"

# --- SQLite ------------------------------------------------------------------------------------
# SQLite's built-in lower() folds ASCII only, which is the semantics we want on both engines.
SQLITE_BODY_EXPR = """
    lower({row}.name)
    || coalesce(char(10) || (
        SELECT group_concat(lower(n), char(10)) FROM (
            SELECT CASE j.type WHEN 'text' THEN j.value
                   ELSE json_extract(j.value, '$.name') END AS n
            FROM json_each(CASE WHEN json_type({row}.former_names) = 'array'
                                THEN {row}.former_names ELSE '[]' END) AS j
        ) WHERE n IS NOT NULL AND n != ''
    ), '')
    || CASE WHEN {row}.name_initials != ''
            THEN char(10) || replace(lower({row}.name_initials), ' ', char(10)) ELSE '' END
"""

SQLITE_REFRESH = """
    INSERT INTO orgs_search_fts(orgs_search_fts, rowid, body)
        SELECT 'delete', org_id, body FROM orgs_search_doc WHERE org_id = new.id;
    INSERT OR REPLACE INTO orgs_search_doc(org_id, body)
        VALUES (new.id, {body});
    INSERT INTO orgs_search_fts(rowid, body)
        SELECT org_id, body FROM orgs_search_doc WHERE org_id = new.id;
""".format(body=SQLITE_BODY_EXPR.format(row="new"))

SQLITE_FORWARD = [
    """CREATE TABLE orgs_search_doc (
        org_id INTEGER PRIMARY KEY,
        body TEXT NOT NULL
    )""",
    """CREATE VIRTUAL TABLE orgs_search_fts USING fts5(
        body, content='orgs_search_doc', content_rowid='org_id',
        tokenize='trigram case_sensitive 1'
    )""",
    f"""CREATE TRIGGER orgs_search_ai AFTER INSERT ON orgs_organization BEGIN
        {SQLITE_REFRESH}
    END""",
    f"""CREATE TRIGGER orgs_search_au AFTER UPDATE OF name, former_names, name_initials
        ON orgs_organization BEGIN
        {SQLITE_REFRESH}
    END""",
    """CREATE TRIGGER orgs_search_ad AFTER DELETE ON orgs_organization BEGIN
        INSERT INTO orgs_search_fts(orgs_search_fts, rowid, body)
            SELECT 'delete', org_id, body FROM orgs_search_doc WHERE org_id = old.id;
        DELETE FROM orgs_search_doc WHERE org_id = old.id;
    END""",
    "INSERT INTO orgs_search_doc(org_id, body) SELECT o.id, {body} FROM orgs_organization o".format(
        body=SQLITE_BODY_EXPR.format(row="o")
    ),
    "INSERT INTO orgs_search_fts(orgs_search_fts) VALUES ('rebuild')",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS orgs_search_ai",
    "DROP TRIGGER IF EXISTS orgs_search_au",
    "DROP TRIGGER IF EXISTS orgs_search_ad",
    "DROP TABLE IF EXISTS orgs_search_fts",
    "DROP TABLE IF EXISTS orgs_search_doc",
]

# --- PostgreSQL --------------------------------------------------------------------------------
# translate() folds ASCII only (lower() would fold all of Unicode and differ from SQLite).
PG_BODY_EXPR = f"""
    translate(r.name, '{UPPER}', '{LOWER}')
    || coalesce(E'\\n' || (
        SELECT string_agg(translate(n, '{UPPER}', '{LOWER}'), E'\\n' ORDER BY ord) FROM (
            SELECT CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{{}}' ELSE e ->> 'name' END
                       AS n, ord
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.former_names) = 'array'
                                      THEN r.former_names ELSE '[]'::jsonb END)
                 WITH ORDINALITY AS x(e, ord)
        ) names WHERE n IS NOT NULL AND n <> ''
    ), '')
    || CASE WHEN r.name_initials <> ''
            THEN E'\\n' || replace(translate(r.name_initials, '{UPPER}', '{LOWER}'), ' ', E'\\n')
            ELSE '' END
"""

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE orgs_search_doc (
        org_id bigint PRIMARY KEY,
        body text NOT NULL
    )""",
    "CREATE INDEX orgs_search_doc_trgm ON orgs_search_doc USING gin (body gin_trgm_ops)",
    f"""CREATE FUNCTION orgs_search_body(r orgs_organization) RETURNS text
        LANGUAGE sql STABLE AS $$ SELECT {PG_BODY_EXPR} $$""",
    """CREATE FUNCTION orgs_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM orgs_search_doc WHERE org_id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO orgs_search_doc(org_id, body) VALUES (NEW.id, orgs_search_body(NEW))
            ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body;
        RETURN NEW;
    END $$""",
    """CREATE FUNCTION orgs_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE orgs_search_doc;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER orgs_search_aiud
        AFTER INSERT OR DELETE OR UPDATE OF name, former_names, name_initials
        ON orgs_organization FOR EACH ROW EXECUTE FUNCTION orgs_search_refresh()""",
    """CREATE TRIGGER orgs_search_truncate AFTER TRUNCATE ON orgs_organization
        FOR EACH STATEMENT EXECUTE FUNCTION orgs_search_truncate()""",
    "INSERT INTO orgs_search_doc(org_id, body) SELECT r.id, orgs_search_body(r) FROM orgs_organization r",
]

PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS orgs_search_aiud ON orgs_organization",
    "DROP TRIGGER IF EXISTS orgs_search_truncate ON orgs_organization",
    "DROP FUNCTION IF EXISTS orgs_search_refresh()",
    "DROP FUNCTION IF EXISTS orgs_search_truncate()",
    "DROP FUNCTION IF EXISTS orgs_search_body(orgs_organization)",
    "DROP TABLE IF EXISTS orgs_search_doc",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"registry search has no index for {schema_editor.connection.vendor}"
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_importjob"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
            elidable=False,
        ),
    ]
