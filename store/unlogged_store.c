/* unlogged_store: the unlogged table: recording mail that cannot be logged (once per
 * location and per bytes), and reading and clearing it for `caselog unlogged`. */
#include "store_private.h"

#include <string.h>

#include "sha256.h"
#include "store_unlogged.h"

/* The unlogged row with these bytes in this mailbox (the oldest if an older version
 * left several), if any: *id_out, else 0. If the server changed UIDVALIDITY the old
 * location means nothing any more: the row is pointed at the new one (unless a row
 * holds it), so that moving the message after COMMIT, and crash recovery, find it as
 * unlogged there. One daemon works a mailbox at a time (advisory lock), so the look-up
 * and the update cannot race another ingest. */
static bool unlogged_find_moved(struct store *st, const struct unlogged_in *u, const char *sha, int64_t *id_out,
                                GError **error)
{
    return db_int(st->db,
        "WITH prev AS (SELECT id FROM unlogged WHERE mailbox IS NOT DISTINCT FROM $1"
        "  AND raw_sha256 = $2 ORDER BY id LIMIT 1),"
        " moved AS (UPDATE unlogged u SET uidvalidity = $3, uid = $4 FROM prev"
        "  WHERE u.id = prev.id AND $1::text IS NOT NULL"
        "  AND u.uidvalidity IS DISTINCT FROM $3::bigint"
        "  AND NOT EXISTS (SELECT 1 FROM unlogged x WHERE x.mailbox = $1 AND x.uidvalidity = $3"
        "   AND x.uid = $4) RETURNING u.id)"
        " SELECT id FROM prev",
        DB_ARGS(db_arg_text(u->mailbox), db_arg_text(sha), db_arg_int(u->uidvalidity), db_arg_int(u->uid)), id_out,
        error);
}

/* Insert the row; *id_out 0 if that location is recorded already. */
static bool unlogged_insert(struct store *st, const struct unlogged_in *u, const char *sha, int64_t *id_out,
                            GError **error)
{
    struct db_arg raw[2];
    int64_t staged = 0;
    const struct parsed_message *msg = u->msg;
    return raw_stage_args(st, u->raw, u->raw_len, raw, &staged, error) &&
           db_int(st->db,
               "INSERT INTO unlogged (mailbox, uidvalidity, uid, received_at, reason, message_id,"
               " from_address, subject, raw, raw_sha256) VALUES ($1, $2, $3, to_timestamp($4), $5, $6,"
               " $7, $8, " RAW_STAGE_SQL("$9", "$10") ", $11) ON CONFLICT DO NOTHING RETURNING id",
               DB_ARGS(db_arg_text(u->mailbox), db_arg_int(u->uidvalidity), db_arg_int(u->uid),
                       db_arg_time(u->received_at), db_arg_text(u->reason), db_arg_text(msg ? msg->message_id : NULL),
                       db_arg_text(u->sender && *u->sender ? u->sender : NULL),
                       db_arg_text(msg ? msg->subject : NULL), raw[0], raw[1], db_arg_text(sha)),
               id_out, error) &&
           raw_stage_drop(st, staged, error);
}

bool unlogged_record(struct store *st, const struct unlogged_in *u, struct store_outcome *out, GError **error)
{
    char sha[SHA256_HEX_SIZE];
    sha256_hex(u->raw, u->raw_len, sha);
    int64_t id = 0;
    if (!unlogged_find_moved(st, u, sha, &id, error))
        return false;
    if (id) {
        out->action = STORE_DUPLICATE;
        out->message_row = id;
        g_snprintf(out->reason, sizeof out->reason,
                   "already recorded in unlogged (id %" G_GINT64_FORMAT ", same bytes)", id);
        return true;
    }
    if (!unlogged_insert(st, u, sha, &id, error))
        return false;
    out->action = id ? STORE_UNLOGGED : STORE_DUPLICATE;
    out->message_row = id;
    g_strlcpy(out->reason, id ? u->reason : "already recorded in unlogged", sizeof out->reason);
    return true;
}

bool store_log_unlogged(struct store *st, const char *raw, size_t raw_len, const char *mailbox,
                        uint32_t uidvalidity, uint32_t uid, int64_t received_at,
                        const char *reason, const struct parsed_message *msg, const char *sender,
                        const char *too_large_size, struct store_outcome *out, GError **error)
{
    memset(out, 0, sizeof *out);
    if (!batch_require(st, "store_log_unlogged", error))
        return false;
    char *lower = sender ? g_ascii_strdown(sender, -1) : NULL;
    struct unlogged_in u = { .raw = raw, .raw_len = raw_len, .mailbox = mailbox, .uidvalidity = uidvalidity,
                             .uid = uid, .received_at = received_at, .reason = reason, .msg = msg,
                             .sender = lower };
    bool ok = unlogged_record(st, &u, out, error);
    if (ok && too_large_size && lower && out->action == STORE_UNLOGGED) {
        ok = db_run(st->db, "INSERT INTO outbox (template, recipient, data) VALUES ('too-large', $1,"
                            " jsonb_build_object('unlogged_id', $2::bigint, 'subject', $3::text, 'size', $4::text))",
                    DB_ARGS(db_arg_text(lower), db_arg_int(out->message_row),
                            db_arg_text(msg && msg->subject ? msg->subject : ""), db_arg_text(too_large_size)),
                    error);
        out->outbox_rows += ok;
    }
    g_free(lower);
    return ok;
}


void unlogged_row_free(gpointer row)
{
    struct unlogged_row *r = row;
    g_free(r->mailbox);
    g_free(r->reason);
    g_free(r->message_id);
    g_free(r->from_address);
    g_free(r->subject);
    g_free(r);
}

#define UNLOGGED_COLUMNS                                                                                    \
    "id, extract(epoch FROM created_at)::bigint, coalesce(extract(epoch FROM received_at)::bigint, 0),"      \
    " mailbox, reason, message_id, from_address, subject, coalesce(uid, 0), length(raw)"

static gpointer unlogged_row_from(struct db_row *r)
{
    struct unlogged_row *u = g_new0(struct unlogged_row, 1);
    u->id = db_next_int(r);
    u->created_at = db_next_int(r);
    u->received_at = db_next_int(r);
    char **strings[] = { &u->mailbox, &u->reason, &u->message_id, &u->from_address, &u->subject };
    for (size_t k = 0; k < G_N_ELEMENTS(strings); k++)
        *strings[k] = db_next_strdup(r);
    u->uid = (uint32_t)db_next_int(r);
    u->size = db_next_int(r);
    return u;
}

GPtrArray *store_unlogged_list(struct store *st, GError **error)
{
    return db_list(st->db, "SELECT " UNLOGGED_COLUMNS " FROM unlogged ORDER BY id DESC", NULL, unlogged_row_from,
                   unlogged_row_free, error);
}

static void unlogged_row_into(struct db_row *r, void *data)
{
    *(struct unlogged_row **)data = unlogged_row_from(r);
}

struct unlogged_row *store_unlogged_get(struct store *st, int64_t id, GBytes **raw_out, GError **error)
{
    *raw_out = NULL;
    struct unlogged_row *row = NULL;
    if (!db_one_row(st->db, "SELECT " UNLOGGED_COLUMNS " FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)),
                    unlogged_row_into, &row, NULL, error) || !row)
        return NULL;
    /* Read apart, in binary: the raw bytes as they arrived, NULs included. No bytes:
     * the row was deleted meanwhile. */
    if (!db_fetch_bytes(st->db, "SELECT raw FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)), raw_out, error) ||
        !*raw_out) {
        unlogged_row_free(row);
        return NULL;
    }
    return row;
}

bool store_unlogged_delete(struct store *st, int64_t id, GError **error)
{
    return db_run(st->db, "DELETE FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)), error);
}
