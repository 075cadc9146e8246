/* thread: the threading and reply-to-resolved decisions (see thread.h). Pure functions
 * over lookup results; the store makes the lookups and acts on the decision. */
#include "thread.h"

#include <glib.h>

#include "reply_text.h"
#include <stdio.h>
#include <string.h>

static bool class_is_automatic(enum msg_class cls)
{
    return cls != MSG_CLASS_ORDINARY;
}

bool thread_id_usable(const char *id)
{
    if (!id || !*id)
        return false;
    size_t len = strlen(id);
    if (len > 250)
        return false;
    const char *at = strrchr(id, '@');
    if (!at || at == id || at[1] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
            return false;
    return true;
}

const char *thread_action_name(enum thread_action action)
{
    static const char *const names[] = { "new_case", "reply", "reply_resolved",
                                         "follow_up", "internal", "unlogged", "outside", "staff" };
    return (unsigned)action < G_N_ELEMENTS(names) ? names[action] : "unknown";
}

/* The first reference that names exactly one stored message on a case; NULL if none. */
static const struct thread_ref *thread_pick_ref(const struct thread_input *in)
{
    for (size_t i = 0; i < in->n_refs; i++) {
        const struct thread_ref *r = &in->refs[i];
        if (thread_id_usable(r->id) && r->matches == 1 && r->found.id != 0)
            return r;
    }
    return NULL;
}

/* The action for a message that threads onto c. */
static enum thread_action thread_action_for(enum msg_class cls, const struct thread_case *c)
{
    if (class_is_automatic(cls))
        return THREAD_INTERNAL;
    switch (c->state) {
    case THREAD_STATE_RESOLVED: return THREAD_REPLY_RESOLVED;
    case THREAD_STATE_CLOSED: return THREAD_FOLLOW_UP;
    default: return THREAD_REPLY;
    }
}

static void thread_no_thread(const struct thread_input *in, struct thread_decision *out)
{
    out->target = (struct thread_case){ 0 };
    if (class_is_automatic(in->classification)) {
        out->action = THREAD_UNLOGGED;
        snprintf(out->reason, sizeof out->reason, "%s mail that threads onto no case",
                 msg_class_name(in->classification));
    } else {
        out->action = THREAD_NEW_CASE;
        snprintf(out->reason, sizeof out->reason, "%s",
                 in->n_refs ? "no reference names exactly one stored message" : "no subject tag or reference");
    }
}

void thread_decide(const struct thread_input *in, struct thread_decision *out)
{
    memset(out, 0, sizeof *out);
    if (in->tag && in->tag_case.id != 0) {
        out->target = in->tag_case;
        out->action = thread_action_for(in->classification, &in->tag_case);
        snprintf(out->reason, sizeof out->reason, "subject tag [%.40s]", in->tag);
        return;
    }
    const struct thread_ref *r = thread_pick_ref(in);
    if (r) {
        out->target = r->found;
        out->action = thread_action_for(in->classification, &r->found);
        snprintf(out->reason, sizeof out->reason, "reference <%.120s>", r->id);
        return;
    }
    thread_no_thread(in, out);
}

bool thread_needs_sender(const struct thread_decision *d)
{
    return d->target.id != 0 && (d->action == THREAD_REPLY || d->action == THREAD_REPLY_RESOLVED ||
                                 d->action == THREAD_FOLLOW_UP || d->action == THREAD_INTERNAL);
}

void thread_apply_sender(struct thread_decision *d, const struct sender_verdict *verdict)
{
    if (!thread_needs_sender(d))
        return;
    d->sender_checked = true;
    d->sender = *verdict;
    if (verdict->standing == SENDER_OF_CASE || d->action == THREAD_INTERNAL)
        return;
    char was[THREAD_REASON_SIZE];
    g_strlcpy(was, d->reason, sizeof was);
    if (verdict->standing == SENDER_STAFF) {
        /* The case's state is the school's and the desk's commands' to change. */
        d->action = THREAD_STAFF;
        snprintf(d->reason, sizeof d->reason, "from staff, kept on the case (%.100s)", was);
    } else if (d->action == THREAD_FOLLOW_UP) {
        /* A stranger naming a closed case is new mail like any other. */
        d->action = THREAD_NEW_CASE;
        snprintf(d->reason, sizeof d->reason, "new mail: %.60s names a closed case, but is from outside it", was);
        d->target = (struct thread_case){ 0 };
    } else {
        d->action = THREAD_OUTSIDE;
        snprintf(d->reason, sizeof d->reason, "from outside the case (%.100s)", was);
    }
}

const char *reply_action_name(enum reply_action action)
{
    static const char *const names[] = { "nothing", "close", "reopen" };
    return (unsigned)action < G_N_ELEMENTS(names) ? names[action] : "unknown";
}

static bool reply_is_word_char(char c)
{
    return g_ascii_isalnum(c) || (unsigned char)c >= 0x80;
}

/* Does text contain word as a whole word or phrase? */
static bool reply_has_word(const char *text, const char *word)
{
    size_t wlen = strlen(word);
    if (wlen == 0)
        return false;
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        bool start_ok = p == text || !reply_is_word_char(p[-1]);
        bool end_ok = !reply_is_word_char(p[wlen]);
        if (start_ok && end_ok)
            return true;
    }
    return false;
}

static bool reply_has_negation(const char *text)
{
    static const char *const words[] = { "not", "still", "again", "no longer", "unfortunately", "however",
                                         "but", "cannot", "stopped" };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (reply_has_word(text, words[i]))
            return true;
    return strstr(text, "n't") != NULL || strstr(text, "n\xe2\x80\x99t") != NULL;
}

enum reply_action reply_decide(enum msg_class classification, const char *text,
                               char *const *confirm_words, const char **reason_out)
{
    const char *reason = "reply to a resolved case";
    enum reply_action action = REPLY_REOPEN;
    if (classification != MSG_CLASS_ORDINARY) {
        action = REPLY_NOTHING;
        reason = "automatic mail does not change a resolved case";
    } else {
        char *text_own = reply_own_text(text);
        char *own = g_strdelimit(g_utf8_strdown(text_own, -1), "\n\t", ' '); /* phrases may wrap */
        g_free(text_own);
        bool confirmed = false;
        for (char *const *w = confirm_words; w && *w && !confirmed; w++)
            confirmed = reply_has_word(own, *w);
        if (confirmed && reply_has_negation(own)) {
            reason = "reply thanks but says it is not fixed";
        } else if (confirmed && strchr(own, '?')) {
            reason = "reply thanks but asks a question";
        } else if (confirmed) {
            action = REPLY_CLOSE;
            reason = "reply confirms the resolution";
        }
        g_free(own);
    }
    if (reason_out)
        *reason_out = reason;
    return action;
}
