/* caselog explain FILE: what logging this message would do, changing nothing: the
 * parsed fields, the classification, the school, the triage (type, queue, priority and
 * the rule that set it) and the SLA times. The parse and the triage need no database;
 * the school and threading look-ups use it when it can be reached and say so when it
 * cannot.
 * The JSON field names are a contract (caselog(1)). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "calendar.h"
#include "cli_common.h"
#include "cli_time.h"
#include "message.h"
#include "intake.h"
#include "sla.h"

struct explain_opts {
    const char *file;
    const char *at;      /* ISO 8601 with offset; NULL: now */
    const char *mailbox; /* NULL: the first configured */
    bool json;
};

struct explanation {
    struct parsed_message *msg;
    const struct config_mailbox *mailbox;
    struct triage_result triage;
    char *school;     /* identifier, NULL if unknown */
    char *database;   /* "consulted" or why not */
    bool threaded;    /* the thread look-up ran */
    struct thread_decision thread;
    char thread_case[64]; /* the reference of the case it would thread onto */
    int64_t received, logged_at, response_due, resolution_due;
    bool out_of_hours;
};

static int explain_parse_args(int argc, char **argv, struct explain_opts *o)
{
    static const struct option longopts[] = {
        { "at", required_argument, NULL, 'a' }, { "mailbox", required_argument, NULL, 'm' },
        { "json", no_argument, NULL, 'j' },     { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': o->at = optarg; break;
        case 'm': o->mailbox = optarg; break;
        case 'j': o->json = true; break;
        default: return -1;
        }
    }
    if (optind != argc - 1)
        return -1;
    o->file = argv[optind];
    return 0;
}

static void add_address(JsonBuilder *b, const struct mail_address *a)
{
    json_builder_begin_object(b);
    cli_json_string(b, "address", a ? a->address : NULL);
    cli_json_string(b, "name", a ? a->name : NULL);
    json_builder_end_object(b);
}

static void add_address_list(JsonBuilder *b, const char *key, const GPtrArray *list)
{
    json_builder_set_member_name(b, key);
    json_builder_begin_array(b);
    for (guint i = 0; list && i < list->len; i++)
        add_address(b, g_ptr_array_index(list, i));
    json_builder_end_array(b);
}

static void add_string_list(JsonBuilder *b, const char *key, const GPtrArray *list)
{
    json_builder_set_member_name(b, key);
    json_builder_begin_array(b);
    for (guint i = 0; list && i < list->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(list, i));
    json_builder_end_array(b);
}

static void add_time(JsonBuilder *b, const struct calendar *cal, const char *key, int64_t t)
{
    char *iso = t ? calendar_format_iso(cal, t) : NULL;
    cli_json_string(b, key, iso);
    g_free(iso);
}

static void add_parsed(JsonBuilder *b, const struct parsed_message *m)
{
    cli_json_string(b, "subject", m->subject);
    json_builder_set_member_name(b, "from");
    if (m->from)
        add_address(b, m->from);
    else
        json_builder_add_null_value(b);
    add_address_list(b, "reply_to", m->reply_to);
    add_address_list(b, "to", m->to);
    add_address_list(b, "cc", m->cc);
    cli_json_string(b, "message_id", m->message_id);
    cli_json_string(b, "in_reply_to", m->in_reply_to);
    add_string_list(b, "references", m->references);
    cli_json_string(b, "date", m->date_header);
    cli_json_string(b, "body_text", m->body_text);
    json_builder_set_member_name(b, "attachments");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        json_builder_begin_object(b);
        cli_json_string(b, "filename", a->filename);
        cli_json_string(b, "content_type", a->content_type);
        cli_json_int(b, "size", (int64_t)a->size);
        cli_json_string(b, "sha256", a->sha256);
        cli_json_string(b, "disposition", a->disposition);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    /* What a part or nesting limit left out (issue 15: nothing cut short in silence). */
    cli_json_int(b, "attachments_not_listed", m->attachments_not_listed);
    json_builder_set_member_name(b, "body_nested_too_deep");
    json_builder_add_boolean_value(b, m->body_nested_too_deep);
    json_builder_set_member_name(b, "body_cut");
    json_builder_add_boolean_value(b, m->body_cut);
    cli_json_string(b, "classification", msg_class_name(m->classification));
    cli_json_string(b, "classification_reason", m->classification_reason);
    cli_json_string(b, "case_ref", m->case_ref);
    json_builder_set_member_name(b, "size");
    json_builder_add_int_value(b, (gint64)m->size);
    add_string_list(b, "defects", m->defects);
}

/* "20m", "3d". */
static const char *duration_text(const struct duration *d, char buf[32])
{
    g_snprintf(buf, 32, "%" G_GINT64_FORMAT "%c", d->amount, "smhd"[d->unit]);
    return buf;
}

/* Which clock and targets the due times come from: the hours profile in force when the
 * message came and where the clock starts, round the clock or not, the targets. */
static void add_clock(JsonBuilder *b, const struct config *cfg, const struct calendar *cal,
                      const struct explanation *e)
{
    struct sla_targets t;
    sla_targets_for(cfg, e->triage.priority, e->triage.type, &t);
    char response[32], resolution[32];
    cli_json_string(b, "clock", t.around_the_clock ? "24x7" : "desk");
    cli_json_string(b, "hours_profile", t.around_the_clock ? NULL : calendar_profile_name(cal, e->received));
    cli_json_string(b, "logged_at_profile", t.around_the_clock ? NULL : calendar_profile_name(cal, e->logged_at));
    cli_json_string(b, "response_target", duration_text(&t.response, response));
    cli_json_string(b, "response_target_from", t.response_from);
    cli_json_string(b, "resolution_target", duration_text(&t.resolution, resolution));
    cli_json_string(b, "resolution_target_from", t.resolution_from);
}

/* The text lines of the same. */
static void print_clock(const struct config *cfg, const struct calendar *cal, const struct explanation *e)
{
    struct sla_targets t;
    sla_targets_for(cfg, e->triage.priority, e->triage.type, &t);
    char response[32], resolution[32];
    const char *at_received = calendar_profile_name(cal, e->received), *at_logged = calendar_profile_name(cal, e->logged_at);
    if (t.around_the_clock)
        cli_printf("Clock:          round the clock (priority %d: hours = \"24x7\")\n", e->triage.priority);
    else
        cli_printf("Clock:          desk hours; %s when received, %s when logged\n",
               at_received ? at_received : "standard hours", at_logged ? at_logged : "standard hours");
    cli_printf("Targets:        respond %s (the %s's), resolve %s (the %s's)\n", duration_text(&t.response, response),
           t.response_from, duration_text(&t.resolution, resolution), t.resolution_from);
}

static void print_json(const struct config *cfg, const struct calendar *cal, const struct explanation *e)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_parsed(b, e->msg);
    cli_json_string(b, "mailbox", e->mailbox ? e->mailbox->name : NULL);
    cli_json_string(b, "database", e->database);
    cli_json_string(b, "school", e->school);
    cli_json_string(b, "thread_action", e->threaded ? thread_action_name(e->thread.action) : NULL);
    cli_json_string(b, "thread_case", e->threaded && e->thread_case[0] ? e->thread_case : NULL);
    cli_json_string(b, "thread_reason", e->threaded ? e->thread.reason : "database not consulted");
    bool sender = e->threaded && e->thread.sender_checked; /* the sender rule ran on a target case */
    cli_json_string(b, "sender_rule", sender ? e->thread.sender.rule : NULL);
    cli_json_string(b, "sender_reason", sender ? e->thread.sender.reason : NULL);
    add_time(b, cal, "received", e->received);
    add_time(b, cal, "logged_at", e->logged_at);
    json_builder_set_member_name(b, "out_of_hours");
    json_builder_add_boolean_value(b, e->out_of_hours);
    cli_json_string(b, "type", case_type_name(e->triage.type));
    cli_json_string(b, "queue", e->triage.queue);
    json_builder_set_member_name(b, "priority");
    json_builder_add_int_value(b, e->triage.priority);
    cli_json_string(b, "priority_name", cfg->priorities[e->triage.priority - 1].name);
    cli_json_string(b, "priority_reason", e->triage.priority_reason);
    add_time(b, cal, "response_due", e->response_due);
    add_time(b, cal, "resolution_due", e->resolution_due);
    add_clock(b, cfg, cal, e);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

static void print_text(const struct config *cfg, const struct calendar *cal, const struct explanation *e)
{
    const struct parsed_message *m = e->msg;
    cli_printf("Subject:        %s\n", m->subject);
    cli_printf("From:           %s%s%s%s\n", m->from && m->from->name ? m->from->name : "", m->from && m->from->name ? " <" : "",
           m->from ? m->from->address : "(none)", m->from && m->from->name ? ">" : "");
    cli_printf("Message-ID:     %s\n", m->message_id ? m->message_id : "(none usable: never threads)");
    cli_printf("Class:          %s (%s)\n", msg_class_name(m->classification), m->classification_reason);
    cli_printf("Case reference: %s\n", m->case_ref ? m->case_ref : "(none in the subject)");
    cli_printf("Attachments:    %u\n", m->attachments->len);
    if (m->attachments_not_listed)
        cli_printf("                %u attachments not listed (past the part or nesting limit)\n",
               m->attachments_not_listed);
    if (m->body_nested_too_deep)
        cli_printf("Body:           not read: nested too deep\n");
    else if (m->body_cut)
        cli_printf("Body:           not read past its first %d KB\n", PARSER_BODY_MAX_KB);
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        cli_printf("  %s (%s, %" G_GUINT64_FORMAT " bytes)\n", a->filename ? a->filename : "(unnamed)", a->content_type, a->size);
    }
    for (guint i = 0; i < m->defects->len; i++)
        cli_printf("Defect:         %s\n", (const char *)g_ptr_array_index(m->defects, i));
    cli_printf("School:         %s (database %s)\n", e->school ? e->school : "unknown", e->database);
    if (e->threaded)
        cli_printf("Thread:         %s%s%s (%s)\n", thread_action_name(e->thread.action), e->thread_case[0] ? " onto " : "",
               e->thread_case, e->thread.reason);
    else
        cli_printf("Thread:         not looked up (database not consulted)\n");
    if (e->threaded && e->thread.sender_checked)
        cli_printf("Sender:         %s (rule %s)\n", e->thread.sender.reason, e->thread.sender.rule);
    char *received = calendar_format_words(cal, e->received), *logged = calendar_format_words(cal, e->logged_at);
    cli_printf("Received:       %s%s\n", received, e->out_of_hours ? " (out of hours)" : "");
    cli_printf("Logged at:      %s\n", logged);
    cli_printf("Type, queue:    %s, %s\n", case_type_name(e->triage.type), e->triage.queue ? e->triage.queue : "-");
    cli_printf("Priority:       %d %s, because: %s\n", e->triage.priority, cfg->priorities[e->triage.priority - 1].name,
           e->triage.priority_reason);
    char *response = calendar_format_words(cal, e->response_due), *resolution = calendar_format_words(cal, e->resolution_due);
    print_clock(cfg, cal, e);
    cli_printf("Respond by:     %s\nResolve by:     %s\n", response, resolution);
    g_free(received);
    g_free(logged);
    g_free(response);
    g_free(resolution);
}

/* The school of the sender and where the message would thread, if the database can
 * be reached; nothing is written. */
static void explain_lookups(const struct config *cfg, struct explanation *e)
{
    GError *error = NULL;
    struct store *st = store_open(cfg->db_conninfo, &error);
    if (!st) {
        e->database = g_strdup_printf("unreachable, school and thread look-ups skipped: %s", error->message);
        g_error_free(error);
        return;
    }
    int64_t id = 0;
    if (store_find_school(st, e->msg->from ? e->msg->from->address : "", &id, &e->school, &error) &&
        store_thread_lookup(st, e->msg, cfg->desk_addresses, &e->thread, e->thread_case, sizeof e->thread_case,
                            &error)) {
        e->database = g_strdup("consulted");
        e->threaded = true;
    } else {
        e->database = g_strdup_printf("failed, school and thread look-ups skipped: %s", error->message);
        g_error_free(error);
    }
    store_close(&st);
}

/* When and where the message counts as received (--at, --mailbox); CLI_OK or the exit
 * status, after a message. */
static int explain_when_where(const struct config *cfg, const struct explain_opts *o, struct explanation *e)
{
    e->received = clock_now();
    if (o->at && !cli_time_parse(cfg->desk.timezone, o->at, false, &e->received)) {
        cli_fprintf(stderr, "caselog explain: --at \"%s\": use %s\n", o->at, CLI_TIME_FORMS);
        return CLI_USAGE;
    }
    e->mailbox = o->mailbox ? config_find_mailbox(cfg, o->mailbox) : (cfg->n_mailboxes ? &cfg->mailboxes[0] : NULL);
    if (o->mailbox && !e->mailbox) {
        cli_fprintf(stderr, "caselog explain: no mailbox named %s in the config\n", o->mailbox);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Decide as the daemon would for the parsed e->msg, and print it. */
static void explain_decide(const struct config *cfg, const struct calendar *cal, const struct explain_opts *o,
                           struct explanation *e)
{
    explain_lookups(cfg, e);
    struct intake_times times;
    intake_decide(cfg, cal, e->mailbox, e->msg, e->school, e->received, &e->triage, &times);
    e->out_of_hours = !calendar_is_working(sla_calendar(cfg, cal, e->triage.priority), e->received);
    e->logged_at = times.logged_at;
    e->response_due = times.response_due;
    e->resolution_due = times.resolution_due;
    if (o->json)
        print_json(cfg, cal, e);
    else
        print_text(cfg, cal, e);
}

static int explain_run(const struct config *cfg, const struct explain_opts *o)
{
    char *raw = NULL;
    gsize len = 0;
    GError *error = NULL;
    if (!g_file_get_contents(o->file, &raw, &len, &error)) {
        cli_fprintf(stderr, "caselog explain: %s\n", error->message);
        g_error_free(error);
        return CLI_FAILED;
    }
    struct explanation e = { 0 };
    int status = explain_when_where(cfg, o, &e);
    struct calendar *cal = status == CLI_OK ? calendar_new(cfg->desk.timezone, &cfg->hours, &error) : NULL;
    if (status == CLI_OK && !cal) {
        cli_fprintf(stderr, "caselog explain: %s\n", error->message);
        g_error_free(error);
        status = CLI_USAGE;
    }
    if (status == CLI_OK) {
        struct parser_options popts = intake_parser_options(cfg);
        const char *why = NULL;
        parser_init();
        e.msg = parser_parse(raw, len, &popts, &why);
        if (e.msg)
            explain_decide(cfg, cal, o, &e);
        else
            cli_printf(o->json ? "{ \"unlogged\" : true, \"reason\" : \"%s\" }\n"
                           : "Not a message: %s (it would go to unlogged)\n", why);
        status = e.msg ? CLI_OK : CLI_FAILED;
        parsed_message_free(&e.msg);
        parser_shutdown();
    }
    calendar_free(&cal);
    g_free(e.school);
    g_free(e.database);
    g_free(raw);
    return status;
}

int cmd_explain(const struct cli_context *ctx, int argc, char **argv)
{
    struct explain_opts o = { 0 };
    if (explain_parse_args(argc, argv, &o) < 0) {
        cli_fprintf(stderr, "usage: caselog explain FILE [--at TIME] [--mailbox NAME] [--json]\n");
        return CLI_USAGE;
    }
    struct config *cfg = cli_load_config(ctx);
    if (!cfg)
        return CLI_USAGE;
    int status = explain_run(cfg, &o);
    config_free(&cfg);
    return status;
}
