/* pages: one function per page or action. rest is what follows the route's prefix
 * ("INC0000123" for /case/INC0000123); "" for exact routes. The router has already
 * checked the session and, for a POST, its origin and CSRF token. */
#ifndef CASELOG_WEB_PAGES_H
#define CASELOG_WEB_PAGES_H

#include "web.h"

void page_static(struct web_request *r, const char *rest);          /* static.c */
void page_signin(struct web_request *r, const char *rest);          /* page_signin.c */
void page_signin_post(struct web_request *r, const char *rest);
void page_signout_post(struct web_request *r, const char *rest);
void page_queue(struct web_request *r, const char *rest);           /* page_queue.c */
void page_case(struct web_request *r, const char *rest);            /* page_case.c */
/* The case page for reference with status; refused (a reason) shown on it, or NULL. */
void page_case_render(struct web_request *r, const char *reference, unsigned status, const char *refused);
void page_attachment(struct web_request *r, const char *reference, const char *number); /* page_attachment.c */
void page_case_post(struct web_request *r, const char *rest);       /* case_actions.c */
void page_case_correct(struct web_request *r, const char *reference); /* case_correct.c */
struct desk_command;
/* case_incident.c: link and unlink (cmd NULL), or cmd with the form's "all" on every
 * linked case; false if action is none of these (nothing done). */
bool case_incident_post(struct web_request *r, const char *reference, const char *action,
                        const struct desk_command *cmd);
void page_schools(struct web_request *r, const char *rest);         /* page_schools.c */
void page_report(struct web_request *r, const char *rest);          /* page_report.c */
void page_status(struct web_request *r, const char *rest);          /* page_status.c */
void page_events(struct web_request *r, const char *rest);          /* events.c */

#endif
