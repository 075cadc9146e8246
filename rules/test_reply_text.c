/* test_reply_text: confirm words are read only in a reply's own new text. A table of
 * replies as UK schools write them to a resolved case (top-posted Outlook, Gmail,
 * phones, Welsh schools, sign-offs with names, council disclaimers), each with the
 * action it must cause, and a table of reply_own_text() cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "reply_text.h"
#include "thread.h"

#define DISCLAIMER                                                                                        \
    "This email and any files transmitted with it are confidential and intended solely for the use\n"   \
    "of the individual or entity to whom they are addressed. If you are not the intended recipient\n"   \
    "you must not copy, distribute or take any action in reliance on it. If you have received this\n"   \
    "email in error please notify the sender. Any views or opinions are not necessarily those of\n"     \
    "the County Council.\n"

#define OUTLOOK_QUOTE                                                                                     \
    "________________________________\n"                                                                \
    "From: ICT Service Desk <servicedesk@desk.example.org>\n"                                          \
    "Sent: 03 March 2026 10:30\n"                                                                       \
    "To: Office <office@stmarys.sch.uk>\n"                                                              \
    "Subject: [INC0001234] Resolved: Printer in Year 3\n\n"                                             \
    "Your case has been resolved. If it is not fixed, just reply and tell us.\n"

/* Outlook in Welsh and in Polish: the header block in the writer's language. */
#define OUTLOOK_QUOTE_CY                                                                                  \
    "Oddi wrth: ICT Service Desk <servicedesk@desk.example.org>\n"                                      \
    "Anfonwyd: 05 Mawrth 2026 10:30\n"                                                                  \
    "At: Swyddfa <swyddfa@ysgol-llanhari.cymru>\n"                                                      \
    "Pwnc: [INC0001234] Update: Argraffydd\n\n"                                                         \
    "There is an update on case INC0001234.\n\nThe case is now resolved.\n"

#define OUTLOOK_QUOTE_PL                                                                                  \
    "Od: ICT Service Desk <servicedesk@desk.example.org>\n"                                             \
    "Wysłano: czwartek, 5 marca 2026 10:30\n"                                                           \
    "Do: Biuro <biuro@stmarys.sch.uk>\n"                                                                \
    "Temat: [INC0001234] Update: Printer\n\n"                                                           \
    "The case is now resolved. Thanks for your patience.\n"

#define GMAIL_QUOTE                                                                                       \
    "On Tue, 3 Mar 2026 at 10:30, ICT Service Desk <servicedesk@desk.example.org>\n"                    \
    "wrote:\n"                                                                                          \
    "> Your case has been resolved. Thanks for your patience.\n"

struct school_reply {
    const char *name;
    const char *body;
    enum reply_action want;
};

static const struct school_reply replies[] = {
    { "plain thanks", "Thanks!\n", REPLY_CLOSE },
    { "thanks and a name", "Thanks\n\nJo\n", REPLY_CLOSE },
    { "greeting and sign-off only", "Hi Sam,\n\nMany thanks,\nMrs Patel\nSchool Business Manager\n", REPLY_CLOSE },
    { "many thanks, Mrs X below a new fault",
      "Hi,\n\nThe interactive whiteboard in Year 4 has gone blank now as well.\n\nMany thanks, Mrs X\n"
      "Office Manager\nSt Mary's C of E Primary School\nTel: 01632 960123\n",
      REPLY_REOPEN },
    { "many thanks, Mrs X above a new fault",
      "Many thanks, Mrs X\n\nOne more thing, the laptop trolley in Year 2 is showing a red light.\n",
      REPLY_REOPEN },
    { "sign-off with kind regards below a new request",
      "Could you set up a login for our new TA, Mr Jones, from Monday.\n\nKind regards,\nLinda Evans\n"
      "Headteacher\n",
      REPLY_REOPEN },
    { "real thanks above a council disclaimer",
      "Thanks, that's all working now.\n\nSarah Hughes\nAdmin Officer\n\n" DISCLAIMER, REPLY_CLOSE },
    { "real thanks, disclaimer in the same paragraph",
      "Thank you, sorted. This email is confidential. If you are not the intended recipient please\n"
      "do not read it.\n",
      REPLY_CLOSE },
    { "new fault above an eco footer that says thank you",
      "The projector in the hall is flickering.\n\nMrs Jones\n\nPlease consider the environment before "
      "printing this email. Thank you.\n",
      REPLY_REOPEN },
    { "top-posted thanks above Outlook quote", "That's great, thank you.\n\nKind regards\nJo\n\n" OUTLOOK_QUOTE,
      REPLY_CLOSE },
    { "top-posted fault above Outlook quote that says fixed",
      "The printer in Year 3 is jamming on every page.\n\n" OUTLOOK_QUOTE, REPLY_REOPEN },
    { "Gmail wrapped attribution, thanks only in the quote",
      "The sound on the Year 6 laptops is still crackling\n\n" GMAIL_QUOTE, REPLY_REOPEN },
    { "Gmail reply that confirms", "Yes, all fixed, thank you!\n\n" GMAIL_QUOTE, REPLY_CLOSE },
    { "thanks but still broken", "Thanks for trying but the SIMS login still fails for Mrs Roberts.\n",
      REPLY_REOPEN },
    { "thanks, it worked and then didn't",
      "Thanks, it worked for a day but hasn't worked since this morning.\n\nRegards\nDave\n", REPLY_REOPEN },
    { "thanks, unfortunately", "Thank you. Unfortunately the door entry system is beeping again.\n",
      REPLY_REOPEN },
    { "thanks and a question", "Thanks! Will the same fix be applied to the Key Stage 1 laptops?\n",
      REPLY_REOPEN },
    { "please close", "All good now, please close the ticket.\n\nRegards,\nThe Office\n", REPLY_CLOSE },
    { "phone signature", "Yes that's fixed it thanks\n\nSent from my iPhone\n", REPLY_CLOSE },
    { "phone reply reporting a fault", "Wifi in the staff room has dropped out\n\nSent from my iPhone\n",
      REPLY_REOPEN },
    { "Welsh school sign-off below a fault",
      "Bore da,\n\nMae'r argraffydd yn Blwyddyn 5 wedi torri eto. The printer in Year 5 is jammed.\n\n"
      "Diolch yn fawr,\nMrs Siân Llywelyn\nYsgol Gymraeg Bro Ŵyr\n",
      REPLY_REOPEN },
    { "Welsh school confirming in English", "Helo,\n\nThank you, the projector is fine now.\n\nCofion,\nGwen\n",
      REPLY_CLOSE },
    { "RFC signature with thanks in it",
      "The email signatures for new staff have not been set up.\n-- \nThanks for reading\nJohn Smith\n",
      REPLY_REOPEN },
    { "resolved in own words, thanks signature",
      "Resolved this end, the cable had come loose.\n\nThanks\nJohn\n-- \nJohn Smith | Network Manager\n",
      REPLY_CLOSE },
    { "inline quote answer", "> Is the printer working now?\nYes it is, thanks.\n", REPLY_CLOSE },
    { "no confirm word at all", "Can someone call me about this please.\n", REPLY_REOPEN },
    { "fault above a Welsh Outlook quote that says resolved",
      "Mae'r argraffydd yn jamio o hyd.\n\n" OUTLOOK_QUOTE_CY, REPLY_REOPEN },
    { "fault above a Polish Outlook quote that says thanks",
      "Drukarka w sali 12 znowu się zacina.\n\n" OUTLOOK_QUOTE_PL, REPLY_REOPEN },
    { "thanks above a Welsh Outlook quote", "Diolch, thank you - mae'n gweithio nawr.\n\n" OUTLOOK_QUOTE_CY,
      REPLY_CLOSE },
    { "sign-off alone after a fault without a period",
      "Hi\nthe visualiser in class 3 won't turn on\nRegards\nMr Ahmed\n", REPLY_REOPEN },
};

static void test_school_replies(void **state)
{
    (void)state;
    char *words[] = { "thanks", "thank you", "resolved", "fixed", "please close", "yes", NULL };
    assert_true(G_N_ELEMENTS(replies) >= 20);
    for (size_t i = 0; i < G_N_ELEMENTS(replies); i++) {
        const char *reason = NULL;
        enum reply_action got = reply_decide(MSG_CLASS_ORDINARY, replies[i].body, words, &reason);
        if (got != replies[i].want) {
            char *own = reply_own_text(replies[i].body);
            fail_msg("%s: want %s, got %s (%s); own text: \"%s\"", replies[i].name,
                     reply_action_name(replies[i].want), reply_action_name(got), reason, own);
        }
    }
}

struct cut_row {
    const char *name, *body, *own;
};

static const struct cut_row cuts[] = {
    { "nothing to cut", "Printer fixed.", "Printer fixed." },
    { "quote marks dropped", "> old\nnew", "new" },
    { "outlook quote", "Fine\n" OUTLOOK_QUOTE, "Fine" },
    { "Welsh outlook quote", "Iawn\n" OUTLOOK_QUOTE_CY, "Iawn" },
    { "own details are no quote", "Room: 12\nAsset: PC-14\nStill broken.", "Room: 12\nAsset: PC-14\nStill broken." },
    { "rfc signature", "Fine\n-- \nJo", "Fine" },
    { "sign-off block", "Fine now.\nKind regards,\nJo Bloggs\nOffice", "Fine now." },
    { "sign-off with name above text", "Many thanks, Mrs X\nThe projector is dim.", "The projector is dim." },
    { "greeting and thanks kept", "Hi Sam,\nThanks!\nJo", "Hi Sam,\nThanks!\nJo" },
    { "disclaimer sentence cut", "Sorted. If you are not the intended recipient, delete it.", "sorted." },
    { "his is no greeting", "His laptop is fine\nRegards\nJo", "His laptop is fine" },
    { "empty", "", "" },
};

static void test_own_text_cuts(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
        char *got = reply_own_text(cuts[i].body);
        if (strcmp(g_strstrip(got), cuts[i].own) != 0)
            fail_msg("%s: want \"%s\", got \"%s\"", cuts[i].name, cuts[i].own, got);
        g_free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_school_replies),
        cmocka_unit_test(test_own_text_cuts),
    };
    return cmocka_run_group_tests_name("reply_text", tests, NULL, NULL);
}
