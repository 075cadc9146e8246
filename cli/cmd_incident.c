/* cmd_incident: `caselog report --incident REF [--format text|json]`: the post-incident
 * summary of a major incident (the seeds' Post Incident Report): the schools affected,
 * the first report, the first response, the updates sent, the resolution and the total
 * working time, on the parent's clock (rules/incident.c counts; the store reads). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cli_common.h"
#include "clock.h"
#include "store_incident.h"

/* "3h 05m" of working time; buf of 32. */
static const char *incident_hours(int64_t seconds, char buf[32])
{
    g_snprintf(buf, 32, "%" G_GINT64_FORMAT "h %02" G_GINT64_FORMAT "m", seconds / 3600, seconds % 3600 / 60);
    return buf;
}

static void incident_text(const struct cli_session *s, const struct incident_report *r,
                          const struct incident_summary *sum)
{
    const char *tz = s->cfg->desk.timezone;
    char hours[32];
    cli_printf("Major incident %s: %s\n", r->reference, r->subject);
    cli_printf("Priority %d (%s), %s\n\n", r->priority, s->cfg->priorities[r->priority - 1].name,
               case_state_name(r->state));
    cli_printf("Schools affected:   %d (%d cases)\n", sum->schools, sum->cases);
    for (guint i = 0; i < r->cases->len; i++) {
        const struct incident_report_case *c = g_ptr_array_index(r->cases, i);
        char *at = cli_format_time(tz, c->received_at);
        cli_printf("  %-12s %-9s %s  %s%s\n", c->reference, case_state_name(c->state), at,
                   c->school ? c->school : c->requester, i == 0 ? " (the parent)" : "");
        g_free(at);
    }
    const struct incident_report_case *first = g_ptr_array_index(r->cases, sum->first);
    char *t = cli_format_time(tz, sum->first_report);
    cli_printf("First report:       %s, %s (%s)\n", t, first->school ? first->school : first->requester, first->reference);
    g_free(t);
    t = cli_format_time(tz, sum->response);
    if (sum->response)
        cli_printf("Response:           %s, %s working time after the first report\n", t,
                   incident_hours(sum->respond_work_s, hours));
    else
        cli_printf("Response:           none yet\n");
    g_free(t);
    t = cli_format_time(tz, r->last_update);
    cli_printf("Updates sent:       %d to every school (comment --all), the last %s; %d notices mailed in all\n",
               r->updates, t, r->mails);
    g_free(t);
    t = cli_format_time(tz, sum->resolution);
    cli_printf("Resolution:         %s\n", sum->resolution ? t : "not resolved yet");
    g_free(t);
    cli_printf("Total working time: %s%s\n", incident_hours(sum->total_work_s, hours),
               sum->resolution ? " (first report to resolution)" : " so far");
}

static void incident_json(const struct cli_session *s, const struct incident_report *r,
                          const struct incident_summary *sum)
{
    const char *tz = s->cfg->desk.timezone;
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_string(b, "incident", r->reference);
    cli_json_string(b, "subject", r->subject);
    cli_json_int(b, "priority", r->priority);
    cli_json_string(b, "state", case_state_name(r->state));
    cli_json_int(b, "schools_affected", sum->schools);
    json_builder_set_member_name(b, "cases");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->cases->len; i++) {
        const struct incident_report_case *c = g_ptr_array_index(r->cases, i);
        json_builder_begin_object(b);
        cli_json_string(b, "reference", c->reference);
        cli_json_string(b, "school", c->school);
        cli_json_string(b, "requester", c->requester);
        cli_json_string(b, "state", case_state_name(c->state));
        cli_json_time(b, tz, "received_at", c->received_at);
        cli_json_time(b, tz, "responded_at", c->responded_at);
        cli_json_time(b, tz, "resolved_at", c->resolved_at);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    const struct incident_report_case *first = g_ptr_array_index(r->cases, sum->first);
    cli_json_string(b, "first_report_case", first->reference);
    cli_json_time(b, tz, "first_report", sum->first_report);
    cli_json_time(b, tz, "response", sum->response);
    cli_json_int(b, "response_working_minutes", sum->respond_work_s < 0 ? -1 : sum->respond_work_s / 60);
    cli_json_int(b, "updates_sent", r->updates);
    cli_json_time(b, tz, "last_update", r->last_update);
    cli_json_int(b, "notices_mailed", r->mails);
    cli_json_time(b, tz, "resolution", sum->resolution);
    cli_json_int(b, "total_working_minutes", sum->total_work_s / 60);
    json_builder_end_object(b);
    cli_print_json(b);
}

/* The summary of a report read from the store. */
static void incident_summary_of(const struct cli_session *s, const struct incident_report *r,
                                struct incident_summary *sum)
{
    struct incident_row *rows = g_new0(struct incident_row, r->cases->len);
    for (guint i = 0; i < r->cases->len; i++) {
        const struct incident_report_case *c = g_ptr_array_index(r->cases, i);
        rows[i] = (struct incident_row){ .school_key = c->school_key, .received_at = c->received_at,
                                         .logged_at = c->logged_at, .responded_at = c->responded_at,
                                         .resolved_at = c->resolved_at };
    }
    incident_summarise(s->cal, rows, (int)r->cases->len, clock_now(), sum);
    g_free(rows);
}

bool report_wants_incident(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--incident") == 0 || g_str_has_prefix(argv[i], "--incident="))
            return true;
    return false;
}

/* --incident REF [--format text|json]; -1 on a usage error. */
static int incident_parse(int argc, char **argv, const char **reference, bool *json)
{
    static const struct option longopts[] = {
        { "incident", required_argument, NULL, 'i' }, { "format", required_argument, NULL, 'F' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "", longopts, NULL)) != -1;) {
        if (c == 'i')
            *reference = optarg;
        else if (c == 'F' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0))
            *json = optarg[0] == 'j';
        else
            return -1;
    }
    return optind == argc && *reference ? 0 : -1;
}

int cmd_report_incident(const struct cli_context *ctx, int argc, char **argv)
{
    const char *reference = NULL;
    bool json = false;
    if (incident_parse(argc, argv, &reference, &json) < 0) {
        cli_fprintf(stderr, "usage: caselog report --incident REF [--format text|json]\n");
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    struct incident_report r;
    bool found = false;
    GError *error = NULL;
    if (!store_incident_report(s.st, reference, &r, &found, &error)) {
        cli_fprintf(stderr, "caselog report: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (!found) {
        cli_fprintf(stderr, "caselog report: no case %s\n", reference);
        status = CLI_FAILED;
    } else {
        struct incident_summary sum;
        incident_summary_of(&s, &r, &sum);
        if (json)
            incident_json(&s, &r, &sum);
        else
            incident_text(&s, &r, &sum);
    }
    incident_report_clear(&r);
    cli_session_close(&s);
    return status;
}
