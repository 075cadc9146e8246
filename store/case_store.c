/* case_store: what a logged message does to cases (SPEC section 3 steps 4-6): a new
 * case (or one following a closed case), a public reply event, an internal event for
 * automatic mail or mail from outside the case, or closing/reopening a resolved case,
 * with the outbox rows each causes. Runs inside the caller's savepoint; the decisions come from rules/thread.c. */
#include "store_private.h"

#include <string.h>

#include "store_case.h"
#include "thread.h"

#define CASE_SYSTEM_ACTOR "caselog"

const char *store_desk_list_sql(void)
{
    return "SELECT id, reference, state, priority, queue, assignee, subject, resolution_due "
           "FROM cases WHERE state <> 'closed' "
           "ORDER BY priority, resolution_due, id LIMIT $1";
}

static const char *case_actor(const struct case_apply_ctx *ctx)
{
    return ctx->requester && *ctx->requester ? ctx->requester : CASE_SYSTEM_ACTOR;
}

/* Queue an event from mail (never needing a notice: the mail it causes is queued here),
 * with the preallocated id (0: the next). follows may be NULL. */
static bool case_mail_event(struct store *st, int64_t case_id, const char *actor, const char *kind, bool public,
                       int64_t message_row, const char *reason, const char *follows, int64_t id, GError **error)
{
    const char *more[] = { "reason", reason, "follows", follows, NULL };
    struct case_event_in ev = { .actor = actor, .kind = kind, .public = public, .more = more,
                                .message_row = message_row };
    return case_event_queue(st, case_id, &ev, false, id, error);
}

/* Queue template to the case's requester; at most one acknowledgement per case. The
 * rows queued go to *res (read after the flush). */
static bool case_outbox(struct store *st, int64_t case_id, const char *template, int64_t event_id,
                        int64_t message_row, PGresult **res, GError **error)
{
    return db_defer(st->db,
        "INSERT INTO outbox (case_id, template, recipient, event_id, in_reply_to)"
        " SELECT id, $2, requester, $3, $4 FROM cases WHERE id = $1 AND requester <> ''"
        " ON CONFLICT DO NOTHING RETURNING id",
        DB_ARGS(db_arg_int(case_id), db_arg_text(template), db_arg_int(event_id), db_arg_int(message_row)),
        res, error);
}

#define CASE_INSERT_SQL                                                                                     \
    "WITH n AS (SELECT nextval('case_number_seq') AS n) "                                                 \
    "INSERT INTO cases (id, number, reference, type, queue, state, hold_reason, hold_started_at,"          \
    " priority, priority_reason, school_id, requester, requester_name, subject, received_at,"              \
    " logged_at, response_due, resolution_due, confidential, follows) "                                   \
    "SELECT $19, n.n, $1 || CASE WHEN length(n.n::text) >= $2::int THEN n.n::text"                         \
    "  ELSE lpad(n.n::text, $2::int, '0') END,"                                                            \
    " $3, $4, $5, $6::text, CASE WHEN $6::text IS NULL THEN NULL ELSE caselog_now() END,"                  \
    " $7, $8, $9, $10, $11, $12, coalesce(to_timestamp($13), caselog_now()),"                              \
    " coalesce(to_timestamp($14), to_timestamp($13), caselog_now()), to_timestamp($15),"                   \
    " to_timestamp($16), $17, $18 FROM n RETURNING reference"

/* Queue the case row for ctx's message (reference and id to *res). */
static bool case_insert(struct store *st, const struct case_apply_ctx *ctx, int64_t follows,
                        bool hold, PGresult **res, GError **error)
{
    const struct store_message_in *in = ctx->in;
    const struct triage_result *t = in->triage;
    return db_defer(st->db, CASE_INSERT_SQL, DB_ARGS(
        db_arg_text(in->ref_prefix ? in->ref_prefix : "INC"), db_arg_int(in->ref_digits > 0 ? in->ref_digits : 7),
        db_arg_text(case_type_name(t ? t->type : CASE_TYPE_INCIDENT)), db_arg_text(t ? t->queue : NULL),
        db_arg_text(hold ? "on_hold" : "open"), db_arg_text(hold ? "awaiting_customer" : NULL),
        db_arg_int(t && t->priority >= 1 && t->priority <= 5 ? t->priority : 3),
        db_arg_text(t ? t->priority_reason : NULL), db_arg_id(in->school_id), db_arg_text(ctx->requester),
        db_arg_text(in->msg->from ? in->msg->from->name : NULL),
        db_arg_text(in->msg->subject ? in->msg->subject : ""), db_arg_time(in->received_at),
        db_arg_time(in->logged_at), db_arg_time(in->response_due), db_arg_time(in->resolution_due),
        db_arg_bool(t && t->confidential), db_arg_id(follows), db_arg_int(ctx->case_row)), res, error);
}

/* Queue: touch the case the message joins. */
static bool case_touch(struct store *st, int64_t case_id, GError **error)
{
    return db_defer(st->db, "UPDATE cases SET updated_at = caselog_now() WHERE id = $1",
                    DB_ARGS(db_arg_int(case_id)), NULL, error);
}

bool case_store_finish(struct case_pending *pending, struct store_outcome *out, GError **error)
{
    bool ok = true;
    if (pending->outbox)
        out->outbox_rows += PQntuples(pending->outbox);
    if (pending->new_case) {
        const char *reference = pending->case_res ? db_get_text(pending->case_res, 0, 0) : NULL;
        if (reference) {
            g_strlcpy(out->reference, reference, sizeof out->reference);
        } else {
            g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the new case's row was not returned");
            ok = false;
        }
    }
    case_pending_clear(pending);
    return ok;
}

void case_pending_clear(struct case_pending *pending)
{
    PQclear(pending->case_res);
    PQclear(pending->outbox);
    memset(pending, 0, sizeof *pending);
}

/* The writes are queued: run them now and finish, unless the caller runs them later
 * (ctx->pending). */
static bool case_done(struct store *st, const struct case_apply_ctx *ctx, struct case_pending *local,
                      struct store_outcome *out, GError **error)
{
    if (ctx->pending)
        return true;
    bool ok = db_flush(st->db, error) && case_store_finish(local, out, error);
    case_pending_clear(local);
    return ok;
}

/* Where this message's results go: the caller's (deferred) or local. */
static struct case_pending *case_results(const struct case_apply_ctx *ctx, struct case_pending *local)
{
    memset(local, 0, sizeof *local);
    return ctx->pending ? ctx->pending : local;
}

/* A new case (following the closed case d->target when FOLLOW_UP). */
static bool case_apply_new(struct store *st, const struct case_apply_ctx *ctx,
                           const struct thread_decision *d, struct store_outcome *out, GError **error)
{
    const struct store_message_in *in = ctx->in;
    bool follow = d->action == THREAD_FOLLOW_UP;
    /* No automatic mail to old mail (limits.no_ack_older_than), to the desk itself or to
     * a staff member or to no address at all; without the more-info question there is no
     * answer to hold the case for. */
    bool mail = !in->no_ack && !ctx->requester_is_staff && ctx->requester && *ctx->requester &&
                !sender_rule_is_desk(ctx->requester, (const char *const *)in->desk_addresses);
    bool hold = mail && !follow && in->school_id == 0 && in->unknown_senders == UNKNOWN_SENDERS_HOLD;
    struct case_pending local, *res = case_results(ctx, &local);
    res->new_case = true;
    bool ok = case_insert(st, ctx, follow ? d->target.id : 0, hold, &res->case_res, error) &&
              ctx->insert_message(st, ctx, ctx->case_row, error);
    /* The old case's event names the new reference: only known once the row is in. */
    if (ok && follow)
        ok = db_flush(st->db, error);
    const char *reference = res->case_res ? db_get_text(res->case_res, 0, 0) : NULL;
    ok = ok && case_mail_event(st, ctx->case_row, case_actor(ctx), "created", true, ctx->message_row, d->reason,
                          follow ? ctx->target_ref : NULL, ctx->event_row, error);
    if (ok && follow)
        ok = case_mail_event(st, d->target.id, CASE_SYSTEM_ACTOR, "followed_up", false, 0,
                        "a reply to the closed case opened a new case", reference, 0, error);
    const char *template = hold ? "more-info"
                         : (mail && in->msg->classification == MSG_CLASS_ORDINARY) ? "acknowledgement"
                         : NULL;
    if (ok && template)
        ok = case_outbox(st, ctx->case_row, template, ctx->event_row, ctx->message_row, &res->outbox, error);
    if (ok) {
        out->action = follow ? STORE_FOLLOW_UP : STORE_NEW_CASE;
        out->case_id = ctx->case_row;
        if (follow)
            g_strlcpy(out->follows, ctx->target_ref, sizeof out->follows);
        g_strlcpy(out->reason, hold ? "new case on hold: unknown sender" : d->reason, sizeof out->reason);
        return case_done(st, ctx, &local, out, error);
    }
    case_pending_clear(&local);
    return false;
}

/* Fill out for a message joining the decision's target case. */
static void case_outcome_joined(const struct case_apply_ctx *ctx, const struct thread_decision *d,
                                enum store_action action, const char *why, struct store_outcome *out)
{
    out->action = action;
    out->case_id = d->target.id;
    g_strlcpy(out->reference, ctx->target_ref, sizeof out->reference);
    g_strlcpy(out->reason, why, sizeof out->reason);
}

/* A reply event: public for mail from the school; internal for automatic mail, for
 * mail from outside the case ("from_outside") and for staff's ("from_staff"), none of
 * which changes anything. */
static bool case_apply_event(struct store *st, const struct case_apply_ctx *ctx,
                             const struct thread_decision *d, bool internal, const char *why,
                             struct store_outcome *out, GError **error)
{
    bool outside = d->action == THREAD_OUTSIDE, staff = d->action == THREAD_STAFF;
    const char *kind = outside ? "from_outside"
                     : staff   ? "from_staff"
                     : internal ? msg_class_name(ctx->in->msg->classification) : "reply";
    struct case_pending local = { 0 }; /* no rows to read back: only for case_done() */
    if (!ctx->insert_message(st, ctx, d->target.id, error) || !case_touch(st, d->target.id, error) ||
        !case_mail_event(st, d->target.id, case_actor(ctx), kind, !internal, ctx->message_row, why, NULL,
                    ctx->event_row, error))
        return false;
    case_outcome_joined(ctx, d, outside ? STORE_OUTSIDE : staff ? STORE_STAFF : internal ? STORE_INTERNAL : STORE_REPLY,
                        why, out);
    return case_done(st, ctx, &local, out, error);
}

/* The case's lifecycle columns, locked, into *clocks; *found false if there is none. */
static void case_clocks_from(struct db_row *r, void *data)
{
    case_clocks_read(r, data);
}

/* Close or reopen the resolved case as lifecycle_plan() says (the reply's arrival is the
 * moment: the reopen window counts to it); *changed false if it was no longer resolved. */
static bool case_change_resolved(struct store *st, const struct store_message_in *in, int64_t case_id,
                                 enum reply_action action, bool *changed, GError **error)
{
    *changed = false;
    if (!in->cfg || !in->cal) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "a reply to a resolved case needs the config and calendar");
        return false;
    }
    struct lifecycle_case clocks = { 0 };
    bool found = false;
    if (!db_one_row(st->db, "SELECT " CASE_CLOCKS_SQL("c") " FROM cases c WHERE c.id = $1 FOR UPDATE",
                    DB_ARGS(db_arg_int(case_id)), case_clocks_from, &clocks, &found, error))
        return false;
    if (!found || clocks.state != THREAD_STATE_RESOLVED)
        return true;
    struct lifecycle_change change = { .kind = action == REPLY_CLOSE ? CASE_CHANGE_SCHOOL_CONFIRMS
                                                                     : CASE_CHANGE_SCHOOL_REPLY };
    struct lifecycle_plan plan;
    lifecycle_plan(&clocks, &change, in->cfg, in->cal, MAX(in->received_at, clocks.resolved_at), &plan);
    if (!plan.allowed)
        return true;
    *changed = true;
    return store_case_write(st, case_id, &plan.after, NULL, error);
}

/* A reply to a resolved case: close on a confirmation, else reopen. */
static bool case_apply_resolved(struct store *st, const struct case_apply_ctx *ctx,
                                const struct thread_decision *d, struct store_outcome *out,
                                GError **error)
{
    const struct parsed_message *m = ctx->in->msg;
    const char *why = NULL;
    enum reply_action action = reply_decide(m->classification, m->body_text, ctx->in->confirm_words, &why);
    if (action == REPLY_NOTHING)
        return case_apply_event(st, ctx, d, true, why, out, error);
    bool changed = false;
    if (!case_change_resolved(st, ctx->in, d->target.id, action, &changed, error))
        return false;
    if (!changed)
        return case_apply_event(st, ctx, d, false, "reply (case no longer resolved)", out, error);
    const char *kind = action == REPLY_CLOSE ? "closed" : "reopened";
    struct case_pending local, *res = case_results(ctx, &local);
    if (!ctx->insert_message(st, ctx, d->target.id, error) ||
        !case_mail_event(st, d->target.id, case_actor(ctx), kind, true, ctx->message_row, why, NULL, ctx->event_row,
                    error) ||
        (!ctx->in->no_ack && /* old mail (no_ack_older_than) is not answered */
         !case_outbox(st, d->target.id, kind, ctx->event_row, ctx->message_row, &res->outbox, error))) {
        case_pending_clear(&local);
        return false;
    }
    case_outcome_joined(ctx, d, action == REPLY_CLOSE ? STORE_CLOSED : STORE_REOPENED, why, out);
    return case_done(st, ctx, &local, out, error);
}

bool case_store_apply(struct store *st, const struct case_apply_ctx *ctx,
                      const struct thread_decision *d, struct store_outcome *out, GError **error)
{
    switch (d->action) {
    case THREAD_NEW_CASE:
    case THREAD_FOLLOW_UP:
        return case_apply_new(st, ctx, d, out, error);
    case THREAD_REPLY:
        return case_apply_event(st, ctx, d, false, d->reason, out, error);
    case THREAD_INTERNAL:
    case THREAD_OUTSIDE:
    case THREAD_STAFF:
        return case_apply_event(st, ctx, d, true, d->reason, out, error);
    case THREAD_REPLY_RESOLVED:
        return case_apply_resolved(st, ctx, d, out, error);
    case THREAD_UNLOGGED:
        break;
    }
    g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "unexpected thread action %s",
                thread_action_name(d->action));
    return false;
}
