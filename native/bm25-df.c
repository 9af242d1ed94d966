/*
 * A SQLite extension with one FTS5 ranking function for the memory store's one-column index:
 *
 *   bm25_df(fts_table)                 the scores of FTS5's bm25() (k1 1.2, b 0.75, lower is better)
 *   bm25_df(fts_table, df_1, ..., df_n) the same formula with the caller's document frequency for
 *                                       each phrase of the MATCH, in the order the phrases appear
 *
 * Why: at 100,000 memories a search that ranks a full window of 2,000 matches spent most of its
 * time in bm25() on two things this function avoids:
 * - bm25() counts each phrase's rows by walking its whole posting list, on every query (~80 ns a
 *   row that has it: ~4 ms for a word in half of the memories). The caller can estimate the count
 *   for far less (main/core/memory/local-backend.ts, estimateFrequencies);
 * - bm25() looks each matched row's length up in the docsize table, a statement step per row. Here
 *   lengths are kept per connection in an array indexed by rowid, for as long as the database file
 *   is unchanged: any committed change, by this connection or another, empties it
 *   (SQLITE_FCNTL_DATA_VERSION); inside an explicit transaction it is not used.
 *
 * The cache is keyed by rowid alone: use bm25_df on one FTS5 table of the main database per
 * connection, and once per statement (FTS5 shares a function's per-query state between its calls).
 *
 * Built by scripts/build-native.js, loaded once per connection by main/core/memory/rank-extension.ts.
 */
#include <math.h>
#include <string.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

#define K1 1.2
#define B 0.75
/* As bm25(): a phrase in half of the rows or more still counts, barely. */
#define MIN_IDF 1e-6
/* Rows with a larger rowid are looked up each time, so the cache stays under 16 MB. */
#define MAX_CACHED_ROWID (1 << 22)

typedef struct LengthCache {
  int *length; /* by rowid; 0 = not known (a row that matches has at least one token) */
  sqlite3_int64 size;
  unsigned int dataVersion;
} LengthCache;

/* One query's state, made on its first row and freed by FTS5 when the query ends. */
typedef struct Query {
  int nPhrase;
  double *idf; /* per phrase */
  int *tf;     /* per phrase, in the current row */
} Query;

static void cache_free(void *p) {
  LengthCache *cache = (LengthCache *)p;
  if (!cache) return;
  sqlite3_free(cache->length);
  sqlite3_free(cache);
}

static void query_free(void *p) {
  Query *q = (Query *)p;
  if (!q) return;
  sqlite3_free(q->idf);
  sqlite3_free(q->tf);
  sqlite3_free(q);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *rows) {
  (void)api;
  (void)fts;
  (*(sqlite3_int64 *)rows)++;
  return SQLITE_OK;
}

static int query_of(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                    LengthCache *cache, int nArg, sqlite3_value **args, Query **out) {
  Query *q = (Query *)api->xGetAuxdata(fts, 0);
  if (q) {
    *out = q;
    return SQLITE_OK;
  }
  unsigned int dataVersion = 0;
  int versioned = sqlite3_file_control(sqlite3_context_db_handle(ctx), "main",
                                       SQLITE_FCNTL_DATA_VERSION, &dataVersion) == SQLITE_OK;
  if (!versioned || dataVersion != cache->dataVersion) {
    if (cache->length) memset(cache->length, 0, sizeof(int) * (size_t)cache->size);
    cache->dataVersion = dataVersion;
  }
  sqlite3_int64 nRow = 0;
  int rc = api->xRowCount(fts, &nRow);
  if (rc != SQLITE_OK) return rc;
  q = (Query *)sqlite3_malloc(sizeof(Query));
  if (!q) return SQLITE_NOMEM;
  memset(q, 0, sizeof(Query));
  q->nPhrase = api->xPhraseCount(fts);
  q->idf = (double *)sqlite3_malloc64(sizeof(double) * (size_t)(q->nPhrase + 1));
  q->tf = (int *)sqlite3_malloc64(sizeof(int) * (size_t)(q->nPhrase + 1));
  if (!q->idf || !q->tf) {
    query_free(q);
    return SQLITE_NOMEM;
  }
  /* Frequencies that do not fit the query (another count of phrases) are not used. */
  int given = nArg == q->nPhrase;
  for (int i = 0; i < q->nPhrase && rc == SQLITE_OK; i++) {
    double df;
    if (given) {
      df = sqlite3_value_double(args[i]);
    } else {
      sqlite3_int64 rows = 0;
      rc = api->xQueryPhrase(fts, i, &rows, count_row);
      df = (double)rows;
    }
    if (df < 0.0) df = 0.0;
    if (df > (double)nRow) df = (double)nRow;
    double idf = log(((double)nRow - df + 0.5) / (df + 0.5));
    q->idf[i] = idf > 0.0 ? idf : MIN_IDF;
  }
  if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, q, query_free);
  else query_free(q);
  if (rc == SQLITE_OK) *out = q;
  return rc;
}

static int row_length(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                      LengthCache *cache, int *out) {
  sqlite3_int64 rowid = api->xRowid(fts);
  /*
   * Inside an explicit transaction this connection's own writes are not yet in the data version
   * (it changes at commit), and they may yet be rolled back: no cache there, either way.
   */
  int cacheable = rowid > 0 && rowid < MAX_CACHED_ROWID &&
                  sqlite3_get_autocommit(sqlite3_context_db_handle(ctx));
  if (cacheable && rowid < cache->size && cache->length[rowid] > 0) {
    *out = cache->length[rowid];
    return SQLITE_OK;
  }
  int rc = api->xColumnSize(fts, -1, out);
  if (rc != SQLITE_OK || !cacheable || *out <= 0) return rc;
  if (rowid >= cache->size) {
    sqlite3_int64 size = cache->size ? cache->size : 1024;
    while (size <= rowid) size *= 2;
    int *grown = (int *)sqlite3_realloc64(cache->length, sizeof(int) * (size_t)size);
    if (!grown) return SQLITE_OK; /* no room to cache it: the length itself is right */
    memset(grown + cache->size, 0, sizeof(int) * (size_t)(size - cache->size));
    cache->length = grown;
    cache->size = size;
  }
  cache->length[rowid] = *out;
  return SQLITE_OK;
}

static void bm25_df(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nArg,
                    sqlite3_value **args) {
  LengthCache *cache = (LengthCache *)api->xUserData(fts);
  Query *q = 0;
  int rc = query_of(api, fts, ctx, cache, nArg, args, &q);
  sqlite3_int64 nRow = 0, nToken = 0;
  if (rc == SQLITE_OK) rc = api->xRowCount(fts, &nRow);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &nToken);
  int nInst = 0;
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &nInst);
  if (rc == SQLITE_OK) memset(q->tf, 0, sizeof(int) * (size_t)q->nPhrase);
  for (int i = 0; i < nInst && rc == SQLITE_OK; i++) {
    int phrase, column, offset;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase >= 0 && phrase < q->nPhrase) q->tf[phrase]++;
  }
  int length = 0;
  if (rc == SQLITE_OK) rc = row_length(api, fts, ctx, cache, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double average = nRow > 0 && nToken > 0 ? (double)nToken / (double)nRow : 1.0;
  double norm = K1 * (1.0 - B + B * (double)length / average);
  double score = 0.0;
  for (int p = 0; p < q->nPhrase; p++) {
    double tf = (double)q->tf[p];
    /* Grouped as bm25() does, for the very same doubles. */
    if (tf > 0) score += q->idf[p] * ((tf * (K1 + 1.0)) / (tf + norm));
  }
  sqlite3_result_double(ctx, -1.0 * score);
}

static fts5_api *fts5_of(sqlite3 *db) {
  fts5_api *api = 0;
  sqlite3_stmt *stmt = 0;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, 0) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", 0);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_bm25df_init(sqlite3 *db, char **error, const sqlite3_api_routines *routines) {
  SQLITE_EXTENSION_INIT2(routines);
  fts5_api *api = fts5_of(db);
  if (!api || api->iVersion < 2) {
    *error = sqlite3_mprintf("bm25_df: this SQLite has no FTS5");
    return SQLITE_ERROR;
  }
  LengthCache *cache = (LengthCache *)sqlite3_malloc(sizeof(LengthCache));
  if (!cache) return SQLITE_NOMEM;
  memset(cache, 0, sizeof(LengthCache));
  /* FTS5 frees the cache when the connection closes (load the extension once per connection). */
  int rc = api->xCreateFunction(api, "bm25_df", cache, bm25_df, cache_free);
  if (rc != SQLITE_OK) cache_free(cache);
  return rc;
}
