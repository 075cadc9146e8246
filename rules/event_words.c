/* event_words: see event_words.h. One row per kind the desk's commands, the daemon and
 * the scheduler write; a kind nobody taught it is still shown, as its name. */
#include "event_words.h"

#include <glib.h>
#include <string.h>

/* A hold reason as the school would hear it. */
static const char *hold_words(const char *reason)
{
    static const char *const words[][2] = {
        { "awaiting_customer", "awaiting the school" }, { "awaiting_change", "awaiting a change" },
        { "customer_deferral", "deferred at the school's request" },
    };
    for (size_t i = 0; reason && i < G_N_ELEMENTS(words); i++)
        if (strcmp(reason, words[i][0]) == 0)
            return words[i][1];
    return reason ? reason : "no reason given";
}

/* The sentence before any detail. Caller g_free()s. */
static char *event_head(const struct event_view *e)
{
    const char *who = e->who && *e->who ? e->who : "someone";
    const char *k = e->kind ? e->kind : "";
    if (!strcmp(k, "assigned"))
        return e->assignee && !g_strcmp0(e->assignee, e->who)
                   ? g_strdup_printf("%s took the case", who)
                   : g_strdup_printf("%s assigned the case to %s", who, e->assignee ? e->assignee : "nobody");
    if (!strcmp(k, "on_hold"))
        return g_strdup_printf("%s put the case on hold, %s", who, hold_words(e->hold_reason));
    if (!strcmp(k, "priority_changed"))
        return g_strdup_printf("%s changed the priority to %s", who, e->priority ? e->priority : "?");
    if (!strcmp(k, "closure_request"))
        return g_strdup_printf("%s asked the school to confirm the case is resolved (request %s)", who,
                               e->attempt ? e->attempt : "?");
    if (!strcmp(k, "followed_up"))
        return g_strdup_printf("the school wrote again after the case closed: new case %s",
                               e->follows ? e->follows : "?");
    if (!strcmp(k, "linked") || !strcmp(k, "unlinked"))
        return g_strdup_printf(!strcmp(k, "linked") ? "%s linked the case to major incident %s"
                                                     : "%s took the case out of major incident %s",
                               who, e->parent ? e->parent : "?");
    if (!strcmp(k, "linked_case") || !strcmp(k, "unlinked_case"))
        return g_strdup_printf(!strcmp(k, "linked_case") ? "%s linked %s to this major incident"
                                                          : "%s took %s out of this major incident",
                               who, e->parent ? e->parent : "?");
    if (!strcmp(k, "suppressed"))
        return g_strdup_printf("%s held back the %s mail to %s", who, e->template ? e->template : "automatic",
                               e->recipient ? e->recipient : "?");
    /* Kinds said in one way: the actor's name then the words, or the words alone. */
    static const struct { const char *kind, *words; bool named; } simple[] = {
        { "comment", " wrote to the school", true }, { "note", " added an internal note", true },
        { "resolved", " resolved the case", true }, { "closed", " closed the case", true },
        { "reopened", " reopened the case", true }, { "hold_ended", " ended the hold", true },
        { "corrected", " corrected the case", true }, { "type_changed", " changed the type", true }, { "created", "'s mail opened the case", true },
        { "reply", " replied", true }, { "auto_reply", " sent an automatic reply (kept, changes nothing)", true },
        { "response_breached", "the response target passed with no response", false },
        { "resolution_breached", "the resolution target passed unresolved", false },
        { "bounce", "a bounce came back (kept, changes nothing)", false },
        { "list", "mailing-list mail (kept, changes nothing)", false },
        { "loop", "our own mail came back (ignored)", false },
        { "from_outside", "mail from outside the case (kept, changes nothing)", false },
        { "from_staff", "mail from staff (kept on the case, changes nothing)", false },
        { "not_read", " could not read all of the mail", true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(simple); i++)
        if (!strcmp(k, simple[i].kind))
            return g_strconcat(simple[i].named ? who : "", simple[i].words, NULL);
    return g_strdup_printf("%s: %s", who, k);
}

/* head, said of a whole major incident (--all), and where the school was told. */
static char *event_incident(char *head, const struct event_view *e)
{
    if (!e->incident)
        return head;
    char *out = g_strdup_printf("%s, with every school of major incident %s%s%s%s", head, e->incident,
                                e->mailed_with ? " (its school was told on " : "",
                                e->mailed_with ? e->mailed_with : "", e->mailed_with ? ")" : "");
    g_free(head);
    return out;
}

char *event_words(const struct event_view *e)
{
    char *head = event_incident(event_head(e), e);
    bool by_mail_close = e->by_mail && e->kind && (!strcmp(e->kind, "closed") || !strcmp(e->kind, "reopened"));
    if (by_mail_close) { /* the school's reply did it, not a person at the desk */
        char *mail = g_strdup_printf("the reply %s the case", !strcmp(e->kind, "closed") ? "closed" : "reopened");
        g_free(head);
        head = mail;
    }
    if (!e->detail || !*e->detail)
        return head;
    char *out = g_strdup_printf("%s: %s", head, e->detail);
    g_free(head);
    return out;
}

bool event_words_repeats_mail(const struct event_view *e)
{
    return e->by_mail && e->kind && (!strcmp(e->kind, "created") || !strcmp(e->kind, "reply"));
}
