/* case_store: what a logged message does to cases (SPEC section 3 steps 4-6): a new
 * case (or one following a closed case), a public reply event, an internal event for
 * automatic mail or mail from outside the case, or closing/reopening a resolved case,
 * with the outbox rows each causes. The rows are gathered into the caller's mail_rows,
 * which writes a whole batch's at once; runs inside the caller's savepoint (one by one)
 * or batch. The decisions come from rules/thread.c. */
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

/* An event from mail (never needing a notice: the mail it causes is gathered here),
 * with the preallocated id (0: the next). follows may be NULL; follows_case names a
 * case whose reference goes in as "follows" instead. */
static void case_mail_event(const struct case_apply_ctx *ctx, int64_t case_id, const char *actor, const char *kind,
                            bool public, int64_t message_row, const char *reason, const char *follows,
                            int64_t follows_case, int64_t id)
{
    const char *data[] = { "reason", reason, "follows", follows, NULL };
    struct mail_event ev = { .id = id, .case_id = case_id, .actor = actor, .kind = kind, .public = public,
                             .message_row = message_row, .data = data, .follows_case = follows_case };
    mail_rows_event(ctx->rows, &ev);
}

/* The message's own rows (messages, attachments), in case_id. */
static bool case_message(const struct case_apply_ctx *ctx, int64_t case_id, GError **error)
{
    struct mail_message m = { .id = ctx->message_row, .case_id = case_id, .in = ctx->in,
                              .sender = ctx->requester, .sha = ctx->sha, .content_sha = ctx->content_sha,
                              .reused_id = ctx->reused_id, .from_outside = ctx->from_outside,
                              .from_staff = ctx->from_staff };
    return mail_rows_message(ctx->rows, &m, error);
}

/* A new case (following the closed case d->target when FOLLOW_UP). */
static bool case_apply_new(const struct case_apply_ctx *ctx, const struct thread_decision *d,
                           struct store_outcome *out, GError **error)
{
    const struct store_message_in *in = ctx->in;
    bool follow = d->action == THREAD_FOLLOW_UP;
    /* No automatic mail to old mail (limits.no_ack_older_than), to the desk itself or to
     * a staff member or to no address at all; without the more-info question there is no
     * answer to hold the case for. */
    bool mail = !in->no_ack && !ctx->requester_is_staff && ctx->requester && *ctx->requester &&
                !sender_rule_is_desk(ctx->requester, (const char *const *)in->desk_addresses);
    bool hold = mail && !follow && in->school_id == 0 && in->unknown_senders == UNKNOWN_SENDERS_HOLD;
    struct mail_case c = { .id = ctx->case_row, .in = in, .requester = ctx->requester, .hold = hold,
                           .follows = follow ? d->target.id : 0 };
    mail_rows_case(ctx->rows, &c);
    if (!case_message(ctx, ctx->case_row, error))
        return false;
    case_mail_event(ctx, ctx->case_row, case_actor(ctx), "created", true, ctx->message_row, d->reason,
                    follow ? ctx->target_ref : NULL, 0, ctx->event_row);
    /* The old case's event names the new case's reference, known once its row is in. */
    if (follow)
        case_mail_event(ctx, d->target.id, CASE_SYSTEM_ACTOR, "followed_up", false, 0,
                        "a reply to the closed case opened a new case", NULL, ctx->case_row, 0);
    const char *template = hold ? "more-info"
                         : (mail && in->msg->classification == MSG_CLASS_ORDINARY) ? "acknowledgement"
                         : NULL;
    if (template)
        mail_rows_outbox(ctx->rows, ctx->case_row, template, ctx->event_row, ctx->message_row);
    out->action = follow ? STORE_FOLLOW_UP : STORE_NEW_CASE;
    out->case_id = ctx->case_row;
    if (follow)
        g_strlcpy(out->follows, ctx->target_ref, sizeof out->follows);
    g_strlcpy(out->reason, hold ? "new case on hold: unknown sender" : d->reason, sizeof out->reason);
    return true;
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
static bool case_apply_event(const struct case_apply_ctx *ctx, const struct thread_decision *d, bool internal,
                             const char *why, struct store_outcome *out, GError **error)
{
    bool outside = d->action == THREAD_OUTSIDE, staff = d->action == THREAD_STAFF;
    const char *kind = outside ? "from_outside"
                     : staff   ? "from_staff"
                     : internal ? msg_class_name(ctx->in->msg->classification) : "reply";
    if (!case_message(ctx, d->target.id, error))
        return false;
    mail_rows_touch(ctx->rows, d->target.id);
    case_mail_event(ctx, d->target.id, case_actor(ctx), kind, !internal, ctx->message_row, why, NULL, 0,
                    ctx->event_row);
    case_outcome_joined(ctx, d, outside ? STORE_OUTSIDE : staff ? STORE_STAFF : internal ? STORE_INTERNAL : STORE_REPLY,
                        why, out);
    return true;
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
        return case_apply_event(ctx, d, true, why, out, error);
    bool changed = false;
    if (!case_change_resolved(st, ctx->in, d->target.id, action, &changed, error))
        return false;
    if (!changed)
        return case_apply_event(ctx, d, false, "reply (case no longer resolved)", out, error);
    const char *kind = action == REPLY_CLOSE ? "closed" : "reopened";
    if (!case_message(ctx, d->target.id, error))
        return false;
    case_mail_event(ctx, d->target.id, case_actor(ctx), kind, true, ctx->message_row, why, NULL, 0, ctx->event_row);
    if (!ctx->in->no_ack) /* old mail (no_ack_older_than) is not answered */
        mail_rows_outbox(ctx->rows, d->target.id, kind, ctx->event_row, ctx->message_row);
    case_outcome_joined(ctx, d, action == REPLY_CLOSE ? STORE_CLOSED : STORE_REOPENED, why, out);
    return true;
}

bool case_store_apply(struct store *st, const struct case_apply_ctx *ctx,
                      const struct thread_decision *d, struct store_outcome *out, GError **error)
{
    switch (d->action) {
    case THREAD_NEW_CASE:
    case THREAD_FOLLOW_UP:
        return case_apply_new(ctx, d, out, error);
    case THREAD_REPLY:
        return case_apply_event(ctx, d, false, d->reason, out, error);
    case THREAD_INTERNAL:
    case THREAD_OUTSIDE:
    case THREAD_STAFF:
        return case_apply_event(ctx, d, true, d->reason, out, error);
    case THREAD_REPLY_RESOLVED:
        return case_apply_resolved(st, ctx, d, out, error);
    case THREAD_UNLOGGED:
        break;
    }
    g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "unexpected thread action %s",
                thread_action_name(d->action));
    return false;
}
