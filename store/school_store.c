/* school_store: the school directory (schools, their mail domains and contacts) and
 * the sender-to-school lookup: by contact address first, then by the sender's domain
 * or its nearest parent domain. */
#include "store_private.h"

#include <string.h>

static void store_contact_free(gpointer data)
{
    struct store_contact *c = data;
    g_free(c->email);
    g_free(c->name);
    g_free(c);
}

struct store_school *store_school_new(const char *name, const char *identifier)
{
    struct store_school *s = g_new0(struct store_school, 1);
    s->name = g_strdup(name);
    s->identifier = g_strdup(identifier);
    s->domains = g_ptr_array_new_with_free_func(g_free);
    s->contacts = g_ptr_array_new_with_free_func(store_contact_free);
    return s;
}

void store_school_free(struct store_school **school)
{
    if (!school || !*school)
        return;
    g_free((*school)->name);
    g_free((*school)->identifier);
    g_ptr_array_unref((*school)->domains);
    g_ptr_array_unref((*school)->contacts);
    g_free(*school);
    *school = NULL;
}

void store_school_add_contact(struct store_school *school, const char *email, const char *name)
{
    struct store_contact *c = g_new0(struct store_contact, 1);
    c->email = g_ascii_strdown(email, -1);
    c->name = name && *name ? g_strdup(name) : NULL;
    g_ptr_array_add(school->contacts, c);
}

void store_school_add_domain(struct store_school *school, const char *domain)
{
    g_ptr_array_add(school->domains, g_ascii_strdown(domain, -1));
}

static bool school_upsert_row(struct store *st, struct store_school *school, GError **error)
{
    return db_int(st->db,
        "INSERT INTO schools (name, identifier) VALUES ($1, $2) ON CONFLICT (identifier)"
        " DO UPDATE SET name = EXCLUDED.name, updated_at = caselog_now() RETURNING id",
        DB_ARGS(db_arg_text(school->name), db_arg_text(school->identifier)), &school->id, error);
}

static bool school_upsert_members(struct store *st, const struct store_school *school, GError **error)
{
    bool ok = true;
    for (guint i = 0; ok && i < school->domains->len; i++)
        ok = db_run(st->db, "INSERT INTO school_domains (domain, school_id) VALUES ($1, $2)"
                            " ON CONFLICT (domain) DO UPDATE SET school_id = EXCLUDED.school_id",
                    DB_ARGS(db_arg_text(g_ptr_array_index(school->domains, i)), db_arg_int(school->id)), error);
    for (guint i = 0; ok && i < school->contacts->len; i++) {
        const struct store_contact *c = g_ptr_array_index(school->contacts, i);
        ok = db_run(st->db, "INSERT INTO contacts (email, name, school_id) VALUES ($1, $2, $3)"
                            " ON CONFLICT (email) DO UPDATE SET school_id = EXCLUDED.school_id,"
                            " name = coalesce(EXCLUDED.name, contacts.name)",
                    DB_ARGS(db_arg_text(c->email), db_arg_text(c->name), db_arg_int(school->id)), error);
    }
    return ok;
}

bool store_school_upsert(struct store *st, struct store_school *school, GError **error)
{
    bool own = !db_in_transaction(st->db);
    if (own && !store_batch_begin(st, error))
        return false;
    bool ok = school_upsert_row(st, school, error) && school_upsert_members(st, school, error);
    if (!own)
        return ok;
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}

static void school_free_item(gpointer data)
{
    struct store_school *s = data;
    store_school_free(&s);
}

static gpointer school_from_row(struct db_row *r)
{
    int64_t id = db_next_int(r);
    const char *name = db_next_text(r);
    struct store_school *s = store_school_new(name, db_next_text(r));
    s->id = id;
    return s;
}

/* A row (school id, kind, value, name) adds a domain or contact to its school. */
static void school_member_from_row(struct db_row *r, void *data)
{
    GHashTable *by_id = data;
    int64_t id = db_next_int(r);
    struct store_school *s = g_hash_table_lookup(by_id, &id);
    const char *kind = db_next_text(r), *value = db_next_text(r), *name = db_next_text(r);
    if (s && strcmp(kind, "domain") == 0)
        store_school_add_domain(s, value);
    else if (s)
        store_school_add_contact(s, value, name);
}

GPtrArray *store_school_list(struct store *st, GError **error)
{
    GPtrArray *schools = db_list(st->db, "SELECT id, name, identifier FROM schools ORDER BY name, id", NULL,
                                 school_from_row, school_free_item, error);
    if (!schools)
        return NULL;
    GHashTable *by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint i = 0; i < schools->len; i++) {
        struct store_school *s = g_ptr_array_index(schools, i);
        g_hash_table_insert(by_id, &s->id, s);
    }
    bool ok = db_each_row(st->db, "SELECT school_id, 'domain', domain, NULL FROM school_domains "
                                  "UNION ALL SELECT school_id, 'contact', email, name FROM contacts "
                                  "WHERE school_id IS NOT NULL ORDER BY 1, 2, 3",
                          NULL, school_member_from_row, by_id, error);
    g_hash_table_destroy(by_id);
    if (!ok)
        g_clear_pointer(&schools, g_ptr_array_unref);
    return schools;
}

/* The domain of sender and its parents, nearest first: a.b.org, b.org (not "org"). */
static GPtrArray *school_domain_candidates(const char *sender)
{
    GPtrArray *out = g_ptr_array_new();
    const char *at = strrchr(sender, '@');
    for (const char *d = at ? at + 1 : NULL; d && *d && strchr(d, '.'); ) {
        g_ptr_array_add(out, (char *)d);
        const char *dot = strchr(d, '.');
        d = dot ? dot + 1 : NULL;
    }
    return out;
}

bool school_lookup_send(struct store *st, const char *const *senders, size_t n, PGresult **res, GError **error)
{
    *res = NULL;
    struct db_array *ks = db_array_new(DB_ARRAY_INT), *emails = db_array_new(DB_ARRAY_TEXT),
                    *domains = db_array_new(DB_ARRAY_TEXT);
    for (size_t k = 0; k < n; k++) {
        if (!senders[k] || !*senders[k])
            continue;
        char *lower = g_ascii_strdown(senders[k], -1);
        GPtrArray *candidates = school_domain_candidates(lower);
        db_array_int(ks, (int64_t)k);
        db_array_text(emails, lower);
        db_array_texts(domains, candidates);
        g_ptr_array_unref(candidates);
        g_free(lower);
    }
    /* Per sender: the school of its contact, else of its nearest domain. */
    bool ok = db_array_length(ks) == 0 ||
              db_defer(st->db,
        "SELECT b.k, s.id, s.identifier FROM unnest($1::int[], $2::text[], $3::text[]) AS b(k, email, domains)"
        " CROSS JOIN LATERAL (SELECT s.id, s.identifier FROM contacts c JOIN schools s ON s.id = c.school_id"
        "  WHERE c.email = b.email"
        "  UNION ALL (SELECT s.id, s.identifier FROM school_domains d JOIN schools s ON s.id = d.school_id"
        "  WHERE d.domain = ANY (b.domains::text[]) ORDER BY length(d.domain) DESC) LIMIT 1) s ORDER BY b.k",
        DB_ARGS(db_arg_array(ks), db_arg_array(emails), db_arg_array(domains)), res, error);
    db_array_free(ks);
    db_array_free(emails);
    db_array_free(domains);
    return ok;
}

void school_lookup_read(const PGresult *res, int row, int64_t *school_id_out, const char **identifier_out)
{
    bool found = res && row >= 0 && row < PQntuples(res);
    *school_id_out = found ? db_get_int(res, row, 1) : 0;
    *identifier_out = found ? db_get_text(res, row, 2) : NULL;
}

bool store_find_school(struct store *st, const char *sender, int64_t *school_id_out,
                       char **identifier_out, GError **error)
{
    *school_id_out = 0;
    if (identifier_out)
        *identifier_out = NULL;
    PGresult *res = NULL;
    const char *senders[] = { sender };
    if (!school_lookup_send(st, senders, 1, &res, error) || !db_flush(st->db, error))
        return false;
    const char *ident = NULL;
    school_lookup_read(res, 0, school_id_out, &ident);
    if (identifier_out)
        *identifier_out = g_strdup(ident);
    PQclear(res);
    return true;
}
