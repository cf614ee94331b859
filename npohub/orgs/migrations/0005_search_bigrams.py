"""Registry search: a bigram index for 1–2 character terms (see npohub/orgs/search.py).

A scan of the doc table costs ~16 ms at city size and grows linearly (~400 ms at 900 k on this
box), so short terms get their own index; the trigram index still never sees them.

SQLite: a contentless FTS5 table (``ascii`` tokenizer, ``detail=none``) over the body's
character bigrams, generated in SQL by the triggers with a numbers table (no C extension, no
Python on the write path): "养老服务" → "养老 老服 服务 务". Every character starts a token, so a
2-character term is one token ("养老") and a 1-character term a prefix query ("养"*). The ascii
tokenizer splits on ASCII punctuation and spaces, so terms holding those scan the doc table.

PostgreSQL: a GIN index on a stored array of the body's bigrams (``grams``, filled by the
trigger); ``grams @> ARRAY[term]`` answers 2-character terms. 1-character terms
scan (they match most of the registry anyway).
"""

from django.db import migrations

MAX_BODY = 10000  # characters of a body that get bigrams (names + former names + initials)

SQLITE_BIGRAMS = """(
    SELECT group_concat(substr(d.body, s.n, 2), ' ')
    FROM orgs_search_n s WHERE s.n <= length(d.body)
)"""

SQLITE_REFRESH = f"""
    INSERT INTO orgs_search_fts(orgs_search_fts, rowid, body)
        SELECT 'delete', org_id, body FROM orgs_search_doc WHERE org_id = new.id;
    INSERT INTO orgs_search_bi(orgs_search_bi, rowid, grams)
        SELECT 'delete', d.org_id, {SQLITE_BIGRAMS} FROM orgs_search_doc d WHERE d.org_id = new.id;
    INSERT OR REPLACE INTO orgs_search_doc(org_id, body)
        VALUES (new.id, {{body}});
    INSERT INTO orgs_search_fts(rowid, body)
        SELECT org_id, body FROM orgs_search_doc WHERE org_id = new.id;
    INSERT INTO orgs_search_bi(rowid, grams)
        SELECT d.org_id, {SQLITE_BIGRAMS} FROM orgs_search_doc d WHERE d.org_id = new.id;
"""

SQLITE_DELETE = f"""
    INSERT INTO orgs_search_fts(orgs_search_fts, rowid, body)
        SELECT 'delete', org_id, body FROM orgs_search_doc WHERE org_id = old.id;
    INSERT INTO orgs_search_bi(orgs_search_bi, rowid, grams)
        SELECT 'delete', d.org_id, {SQLITE_BIGRAMS} FROM orgs_search_doc d WHERE d.org_id = old.id;
    DELETE FROM orgs_search_doc WHERE org_id = old.id;
"""


def sqlite_forward(schema_editor):
    from importlib import import_module

    body = import_module("npohub.orgs.migrations.0004_search_index").SQLITE_BODY_EXPR
    refresh = SQLITE_REFRESH.format(body=body.format(row="new"))
    return [
        "CREATE TABLE orgs_search_n (n INTEGER PRIMARY KEY)",
        f"""INSERT INTO orgs_search_n(n)
            SELECT a.n * 100 + b.n + 1 FROM
            (SELECT value AS n FROM json_each('[{",".join(str(i) for i in range(MAX_BODY // 100))}]')) a,
            (SELECT value AS n FROM json_each('[{",".join(str(i) for i in range(100))}]')) b""",
        """CREATE VIRTUAL TABLE orgs_search_bi USING fts5(
            grams, content='', tokenize='ascii', detail='none'
        )""",
        "DROP TRIGGER orgs_search_ai",
        "DROP TRIGGER orgs_search_au",
        "DROP TRIGGER orgs_search_ad",
        f"CREATE TRIGGER orgs_search_ai AFTER INSERT ON orgs_organization BEGIN {refresh} END",
        f"""CREATE TRIGGER orgs_search_au AFTER UPDATE OF name, former_names, name_initials
            ON orgs_organization BEGIN {refresh} END""",
        f"CREATE TRIGGER orgs_search_ad AFTER DELETE ON orgs_organization BEGIN {SQLITE_DELETE} END",
        f"INSERT INTO orgs_search_bi(rowid, grams) SELECT d.org_id, {SQLITE_BIGRAMS} FROM orgs_search_doc d",
    ]


def sqlite_backward(schema_editor):
    from importlib import import_module

    m = import_module("npohub.orgs.migrations.0004_search_index")
    return [
        "DROP TRIGGER orgs_search_ai",
        "DROP TRIGGER orgs_search_au",
        "DROP TRIGGER orgs_search_ad",
        *[s for s in m.SQLITE_FORWARD if s.lstrip().startswith("CREATE TRIGGER")],
        "DROP TABLE orgs_search_bi",
        "DROP TABLE orgs_search_n",
    ]


PG_REFRESH = """CREATE OR REPLACE FUNCTION orgs_search_refresh() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE b text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM orgs_search_doc WHERE org_id = OLD.id;
            RETURN OLD;
        END IF;
        b := orgs_search_body(NEW);
        INSERT INTO orgs_search_doc(org_id, body, grams)
            VALUES (NEW.id, b, orgs_search_bigrams(b))
            ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body, grams = EXCLUDED.grams;
        RETURN NEW;
    END $$"""

PG_REFRESH_0004 = """CREATE OR REPLACE FUNCTION orgs_search_refresh() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM orgs_search_doc WHERE org_id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO orgs_search_doc(org_id, body) VALUES (NEW.id, orgs_search_body(NEW))
            ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body;
        RETURN NEW;
    END $$"""

# The bigrams are stored (not an expression index): a bitmap heap scan rechecks its condition,
# and recomputing the array per row cost 10x the index lookup.
PG_FORWARD = [
    """CREATE FUNCTION orgs_search_bigrams(body text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(body, i, 2)), '{}')
        FROM generate_series(1, length(body) - 1) AS i
    $$""",
    "ALTER TABLE orgs_search_doc ADD COLUMN grams text[] NOT NULL DEFAULT '{}'",
    "UPDATE orgs_search_doc SET grams = orgs_search_bigrams(body)",
    "CREATE INDEX orgs_search_doc_grams ON orgs_search_doc USING gin (grams)",
    PG_REFRESH,
]

PG_BACKWARD = [
    PG_REFRESH_0004,
    "DROP INDEX IF EXISTS orgs_search_doc_grams",
    "ALTER TABLE orgs_search_doc DROP COLUMN IF EXISTS grams",
    "DROP FUNCTION IF EXISTS orgs_search_bigrams(text)",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = sqlite_forward(schema_editor) if vendor == "sqlite" else PG_FORWARD
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = sqlite_backward(schema_editor) if vendor == "sqlite" else PG_BACKWARD
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_search_index"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
