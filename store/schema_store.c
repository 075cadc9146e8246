/* schema_store: is the database's schema the one this build was made for? The
 * migrations this build knows are the sql/ files at build time (schema_versions.h,
 * written by CMake); the database's are the rows of schema_migrations. */
#include "store_private.h"
#include "store_status.h"

#include "schema_versions.h"

static const int known_versions[] = { CASELOG_SCHEMA_VERSIONS };

int store_schema_known(void)
{
    return known_versions[G_N_ELEMENTS(known_versions) - 1];
}

static bool schema_knows(int version)
{
    for (size_t i = 0; i < G_N_ELEMENTS(known_versions); i++)
        if (known_versions[i] == version)
            return true;
    return false;
}

static void version_from_row(struct db_row *r, void *data)
{
    int v = (int)db_next_int(r);
    g_array_append_val((GArray *)data, v);
}

/* The applied versions, sorted (none if there is no schema_migrations yet). */
static GArray *schema_applied(struct store *st, GError **error)
{
    GArray *applied = g_array_new(FALSE, FALSE, sizeof(int));
    int64_t exists = 0;
    if (!db_int(st->db, "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int", NULL, &exists, error) ||
        (exists && !db_each_row(st->db, "SELECT version FROM schema_migrations ORDER BY version", NULL,
                                version_from_row, applied, error))) {
        g_array_unref(applied);
        return NULL;
    }
    return applied;
}

/* The versions of from that are not in in, as "020, 021". */
static void schema_missing(GString *out, const int *from, size_t n_from, const GArray *in)
{
    for (size_t i = 0; i < n_from; i++) {
        bool found = false;
        for (guint k = 0; k < in->len && !found; k++)
            found = g_array_index(in, int, k) == from[i];
        if (!found)
            g_string_append_printf(out, "%s%03d", out->len ? ", " : "", from[i]);
    }
}

bool store_schema_check(struct store *st, enum store_schema *result, char **words_out, GError **error)
{
    *result = STORE_SCHEMA_OK;
    *words_out = NULL;
    GArray *applied = schema_applied(st, error);
    if (!applied)
        return false;
    GString *missing = g_string_new(NULL), *unknown = g_string_new(NULL);
    schema_missing(missing, known_versions, G_N_ELEMENTS(known_versions), applied);
    for (guint k = 0; k < applied->len; k++)
        if (!schema_knows(g_array_index(applied, int, k)))
            g_string_append_printf(unknown, "%s%03d", unknown->len ? ", " : "", g_array_index(applied, int, k));
    int db_version = applied->len ? g_array_index(applied, int, applied->len - 1) : 0;
    if (unknown->len) {
        *result = STORE_SCHEMA_NEWER;
        *words_out = g_strdup_printf("the database schema is version %d (with %s), newer than this caselog's %d:"
                                     " upgrade caselog", db_version, unknown->str, store_schema_known());
    } else if (missing->len) {
        *result = STORE_SCHEMA_OLDER;
        *words_out = g_strdup_printf("the database schema is version %d (%s not applied), older than this"
                                     " caselog's %d: run caselogd --migrate", db_version, missing->str,
                                     store_schema_known());
    }
    g_string_free(missing, TRUE);
    g_string_free(unknown, TRUE);
    g_array_unref(applied);
    return true;
}
