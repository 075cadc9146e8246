/* reply_text: the part of a reply its sender wrote now, where confirm words are read
 * (SPEC section 3 step 4): without the quoted earlier mail, the signature after "-- ",
 * a phone's "Sent from my ..." line, disclaimers and the sign-off ("Many thanks,
 * Mrs X" and the name, title and school below it). Pure text work, no I/O. */
#ifndef CASELOG_REPLY_TEXT_H
#define CASELOG_REPLY_TEXT_H

/* The reply's own new text (lines joined by '\n'), in its own case. A reply that is
 * nothing but a greeting and a sign-off ("Hi Sam, many thanks, Jo") is its own text:
 * the thanks is then the message. Caller g_free()s. */
char *reply_own_text(const char *body);

#endif
