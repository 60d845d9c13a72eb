"""Full-text search over garments: which ones match the buyer's words, and how well.

The index is the `product_search` table the migration 0004_speed builds and its triggers keep: a
weighted tsvector per garment on PostgreSQL (titles A, artisan name, community, technique and
category B, stories and materials C; each translation stemmed in its own language, accents removed
by `unaccent`) beside whether the garment is visible and when it was published (0014_search_rank, so
a search without other filters ranks ids from that table alone); an FTS5 table on SQLite
(`unicode61 remove_diacritics 2`, Porter stemming, prefix queries). Either way `maria` finds María
and `anil` finds añil; every word must match.
"""
import re
import unicodedata
from functools import reduce

from sqlalchemy import String, case, cast, column, func, literal, literal_column, or_, select, table
from sqlalchemy.dialects.postgresql import TSQUERY

from storefront.extensions import db

MAX_WORDS = 6
PG_CONFIGS = ("telar_es", "telar_en", "telar_fr", "telar_de", "telar_simple")
SEARCH_TABLE = "product_search"
# FTS5 columns: title, artisan, vocabulary, story (bm25 gives lower = better).
SQLITE_WEIGHTS = (10.0, 5.0, 5.0, 1.0)

_pg_table = table(SEARCH_TABLE, column("product_id"), column("document"), column("visible"),
                  column("published_at"))
_sqlite_table = table(SEARCH_TABLE, column("rowid"))


def fold(text):
    """Lower case without accents: "Añil" -> "anil" (for comparing with vocabulary labels)."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(q):
    """The words of a query (letters and digits only), at most MAX_WORDS."""
    return re.findall(r"[^\W_]+", q.lower())[:MAX_WORDS]


def vocabulary_phrases(word, *vocabularies):
    """Code phrases ("backstrap loom") whose code or translated label contains `word`, accents ignored."""
    folded = fold(word)
    return [code.replace("_", " ") for vocabulary in vocabularies for code, label in vocabulary.items()
            if folded in code.replace("_", " ") or folded in fold(label)]


def is_search_table(name):
    """Tables of the index, not in the models (Alembic's compare leaves them alone; FTS5 adds shadows)."""
    return name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")


def alembic_include_name(name, type_, parent_names):
    """Alembic's `include_name`: leave the index's tables (and their indexes) out of comparisons."""
    if type_ == "table":
        return not is_search_table(name)
    if type_ == "index":
        return not is_search_table(parent_names.get("table_name") or "")
    return True


def _pg_word(word, phrases):
    """The word stemmed in every content language, or any of its phrases; nothing for a stop word.

    A stop word of one language ("a", "the", "de") is left out of every document in that language,
    so requiring it would hide garments: it matches everything instead (an empty tsquery).
    """
    variants = [func.plainto_tsquery(literal_column(f"'{config}'::regconfig"), word) for config in PG_CONFIGS]
    stop_word = or_(*[func.numnode(variant) == 0 for variant in variants])
    either = reduce(lambda a, b: a.op("||")(b), variants + [
        func.phraseto_tsquery(literal_column("'telar_simple'::regconfig"), phrase) for phrase in phrases])
    return case((stop_word, literal_column("''::tsquery")), else_=either)


def _pg_query(query_words):
    """Every word required: one tsquery expression, to be computed once per search (below).

    Written inline in the ranked query, the stemming was folded into a constant only while the
    planner saw the words; once psycopg prepares a statement run five times, PostgreSQL's generic
    plan stemmed every word in every language again for each matching row, twice (match and rank):
    a word found in all 10,000 garments took 100 ms instead of 7.
    """
    return reduce(lambda a, b: a.op("&&")(b), [_pg_word(w, phrases) for w, phrases in query_words])


def _pg_query_once(query_words):
    """The tsquery as a scalar subquery: PostgreSQL computes it once (an InitPlan), in any plan."""
    return select(_pg_query(query_words)).scalar_subquery()


def _pg_query_constant(query_words):
    """The tsquery computed first (one round trip), then written into the statement as a constant
    (SQLAlchemy's literal_execute, quoted by the dialect), so the planner sees how many garments
    match in the index's statistics, whether or not psycopg prepared the statement."""
    computed = db.session.scalar(select(_pg_query(query_words)))
    return cast(literal(computed, String, literal_execute=True), TSQUERY)


def _fts5_string(text):
    return '"' + text.replace('"', '""') + '"'


def _sqlite_expression(query_words):
    """An FTS5 query: every word as a prefix, or one of the vocabulary phrases it names."""
    parts = []
    for word, phrases in query_words:
        options = [_fts5_string(word) + "*"] + [_fts5_string(phrase) for phrase in phrases]
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def matching(stmt, product_id, query_words):
    """`stmt` (selecting garments, `product_id` their id column) restricted to those matching every
    word, and the relevance expression to order by (descending is best).

    `query_words` is a list of (word, vocabulary phrases the word also stands for).
    """
    if _on_postgresql():
        # Joined with products, the best plan depends on how many garments match (collect them all
        # and sort, or walk the products in price order and stop at the cap): the planner can only
        # tell from a constant. On PostgreSQL only visible garments match (see keeps_visibility).
        query = _pg_query_constant(query_words)
        document = _pg_table.c.document
        stmt = (stmt.join(_pg_table, _pg_table.c.product_id == product_id)
                .where(_pg_table.c.visible, document.op("@@")(query)))
        return stmt, func.ts_rank(document, query)
    fts = literal_column(SEARCH_TABLE)
    stmt = (stmt.join(_sqlite_table, _sqlite_table.c.rowid == product_id)
            .where(fts.op("MATCH")(_sqlite_expression(query_words))))
    return stmt, -func.bm25(fts, *SQLITE_WEIGHTS)


def visible_matching(query_words):
    """The ids of the visible garments matching every word, read from the index alone, with the
    relevance expression and the newest-first ordering; None on SQLite (use `matching`).

    On PostgreSQL the triggers keep each garment's visibility and publication date beside its
    document, so a search without other filters reads no other table.
    """
    if not _on_postgresql():
        return None
    # One table, one plan whatever the number of matches (the GIN index, then rank them all): no
    # need for the round trip of _pg_query_constant.
    query = _pg_query_once(query_words)
    document = _pg_table.c.document
    stmt = select(_pg_table.c.product_id).where(_pg_table.c.visible, document.op("@@")(query))
    newest = (_pg_table.c.published_at.desc(), _pg_table.c.product_id.desc())
    return stmt, func.ts_rank(document, query), newest


def keeps_visibility():
    """Whether the index knows which garments are visible (PostgreSQL: 0014_search_rank), so that
    `matching` keeps only those and the caller need not ask products and artisans again."""
    return _on_postgresql()


def _on_postgresql():
    return db.session.get_bind().dialect.name == "postgresql"


def indexed_count():
    """How many garments the index holds (tests and the bench check it follows the products)."""
    return db.session.scalar(select(func.count()).select_from(table(SEARCH_TABLE)))
