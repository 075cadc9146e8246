#!/usr/bin/python3
"""sla_month: the month of tests/sla_month.sh, as data and a driver.

Each case below is written down by hand: how it comes in, what the desk and the school
do with it (its story, in local time, Europe/London: BST in June and July 2026), and
what it must count as in the service report, with why. The expected report cells are
counted from these hand-written classifications and working minutes (the code under
test computes none of them); the "all" rows are also written out in full at the end.

The desk: 08:00-18:00 Monday to Friday in term time; from Wednesday 22 July the summer
holiday profile opens 09:00-15:00 Monday to Friday. P1 runs round the clock (24x7).
Targets: P1 20m/4h, P2 1h/1d, P3 8h/3d, P4 1d/4d, P5 1d/5d; complaints 3d/20d whatever
their priority. Reopen window 3 working days; closure requests 2 days apart, then a
close one day after the third. The report runs as of Monday 3 August 2026 12:00.

Expectation tokens: response i<m> in time after <m> working minutes, m<m> late, m-
never answered and past due, -- not decided (never answered, not due yet); resolution
i<m> resolved in time after <m> working minutes (from logged_at, on the case's clock,
holds included), m<m> resolved late, m- unresolved and past due, -- not decided (not
resolved, not past due, or paused by a hold that began before the target);
first-contact y/n/- (- not resolved), ever resolved y/n, reactivated y/n; then the
final response and resolution due times.
"""
import datetime
import email.utils
import imaplib
import json
import csv
import os
import re
import ssl
import subprocess
import sys
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")
CASELOG, CASELOGD = os.environ["CASELOG"], os.environ["CASELOGD"]
CONF, DB, FOLDER, WORK = (os.environ[k] for k in ("SLA_MONTH_CONF", "SLA_MONTH_DB", "SLA_MONTH_FOLDER",
                                                   "SLA_MONTH_WORK"))
SCHOOLS = {
    "O": ("Oakfield Primary School", "URN100001", "oakfield-primary.sch.uk"),
    "T": ("Ysgol Gymraeg Tŷ Gwyn", "URN100002", "tygwyn.sch.uk"),
    "S": ("St Mary's C of E Primary, Leeds", "URN100003", "stmarys-leeds.sch.uk"),
    "U": (None, None, "gmail.com"),  # an unknown sender: logged with no school
}
AS_OF = "2026-08-03 12:00"

CASES = []


def case(cid, received, school, subject, expect, why, acts=()):
    CASES.append(dict(id=cid, received=received, school=school, subject="%s (%s)" % (subject, cid),
                      expect=expect, why=why, acts=list(acts)))


def bulk(cid, day, school, subject, sims=False):
    """A plain P3 incident: in at 09:00, assigned 09:30 (30 m), resolved 12:00 (3 h):
    both in time; one mail, no staff comment, never reopened: first contact."""
    d = datetime.date.fromisoformat(day)
    summer = d >= datetime.date(2026, 7, 22)
    nxt = d + datetime.timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += datetime.timedelta(days=1)
    # response: 8 working hours (term 09:00-17:00; summer 6 h today, 2 h the next day)
    response_due = "%s 11:00" % nxt.isoformat() if summer else "%s 17:00" % day
    res_day, n = d, 0
    while n < 3:
        res_day += datetime.timedelta(days=1)
        n += res_day.weekday() < 5
    case(cid, "%s 09:00" % day, school, ("SIMS " if sims else "") + subject,
         "3 incident %s | i30 i180 | y y n | %s / %s 09:00" % ("MIS" if sims else "ICT", response_due,
                                                               res_day.isoformat()),
         "bulk P3 incident, assigned after 30 m, resolved after 3 h, first contact",
         [("09:30", "assign"), ("12:00", "resolve")])


# ---------------------------------------------------------------- June (previous period)
case("J1", "2026-06-01 09:00", "O", "June: projector", "3 incident ICT | i30 i180 | y y n | 2026-06-01 17:00 / 2026-06-04 09:00",
     "assigned 09:30, resolved 12:00: both in time, first contact",
     [("09:30", "assign"), ("12:00", "resolve")])
case("J2", "2026-06-02 09:00", "T", "June: printer", "3 incident ICT | m600 i780 | y y n | 2026-06-02 17:00 / 2026-06-05 09:00",
     "assigned next morning 09:00 (9 h + 1 h): response late; resolved Wed 12:00 (9 h + 4 h) in time",
     [("2026-06-03 09:00", "assign"), ("2026-06-03 12:00", "resolve")])
case("J3", "2026-06-10 09:00", "S", "[P2] June: MIS sync", "2 incident ICT | i30 m1200 | y y n | 2026-06-10 10:00 / 2026-06-11 09:00",
     "P2: assigned 09:30 in time; resolved Fri 09:00, a day after its 1d target (9 + 10 + 1 h)",
     [("09:30", "assign"), ("2026-06-12 09:00", "resolve")])
case("J4", "2026-06-15 10:00", "O", "June: laptop", "3 incident ICT | i10 i720 | n y y | 2026-06-15 18:00 / 2026-06-18 10:00",
     "resolved 11:00; the school says it fails again the next morning, inside the 3-day window: a "
     "reactivation; resolved again Tue 12:00 (8 + 4 h), in time; reopened, so no first contact",
     [("10:10", "assign"), ("11:00", "resolve"), ("2026-06-16 09:00", "mail", "It has stopped working again."),
      ("2026-06-16 12:00", "resolve")])
case("J5", "2026-06-22 09:00", "T", "[P4] June: keyboard", "4 incident ICT | m- m- | - n n | 2026-06-23 09:00 / 2026-06-26 09:00",
     "P4 nobody answered: response (1d) and resolution (4d) both passed unmet")
case("J6", "2026-06-29 09:00", "S", "[P1] June: server down", "1 incident ICT | i10 i180 | y y n | 2026-06-29 09:20 / 2026-06-29 13:00",
     "P1: assigned after 10 m, resolved after 3 h, inside 20m / 4h",
     [("09:10", "assign"), ("12:00", "resolve")])

# ---------------------------------------------------------------- July: P3 incidents
case("C01", "2026-07-01 09:00", "O", "Projector in the hall", "3 incident ICT | i30 i360 | y y n | 2026-07-01 17:00 / 2026-07-06 09:00",
     "assigned 09:30, resolved 15:00: in time; one mail, no comment: first contact",
     [("09:30", "assign"), ("15:00", "resolve")])
case("C02", "2026-07-01 10:00", "T", "Printer jams", "3 incident ICT | i20 i360 | y y n | 2026-07-01 18:00 / 2026-07-06 10:00",
     "one staff comment is still first contact; 8 h from 10:00 ends at the 18:00 closing",
     [("10:20", "assign"), ("11:00", "comment", "Please try the manual feed tray."), ("16:00", "resolve")])
case("C03", "2026-07-02 09:00", "S", "SIMS report will not run", "3 incident MIS | i10 i180 | n y n | 2026-07-02 17:00 / 2026-07-07 09:00",
     "two staff comments before the resolution: not first contact (queue MIS by the SIMS rule)",
     [("09:10", "assign"), ("10:00", "comment", "Which report is it?"),
      ("11:00", "comment", "We have rebuilt the report's index."), ("12:00", "resolve")])
case("C04", "2026-07-02 14:00", "O", "Wifi drops in class 4", "3 incident ICT | i270 i780 | y y n | 2026-07-03 12:00 / 2026-07-07 14:00",
     "8 h from Thu 14:00 is Fri 12:00; assigned Fri 08:30 (4 h + 30 m); resolved Fri 17:00 (4 h + 9 h)",
     [("2026-07-03 08:30", "assign"), ("2026-07-03 17:00", "resolve")])
case("C05", "2026-07-03 17:30", "T", "Laptop will not charge", "3 incident ICT | m570 i750 | y y n | 2026-07-06 15:30 / 2026-07-08 17:30",
     "in at Fri 17:30: 30 m on Friday, due Mon 15:30; assigned Mon 17:00 (late); resolved Tue 10:00",
     [("2026-07-06 17:00", "assign"), ("2026-07-07 10:00", "resolve")])
case("C06", "2026-07-04 11:00", "S", "Email bounces", "3 incident ICT | i45 i240 | y y n | 2026-07-06 16:00 / 2026-07-09 08:00",
     "a Saturday mail is logged at Monday's opening (08:00); the clocks start there",
     [("2026-07-06 08:45", "assign"), ("2026-07-06 12:00", "resolve")])
case("C07", "2026-07-06 19:30", "O", "Scanner offline", "3 incident ICT | i60 i360 | n y n | 2026-07-07 16:00 / 2026-07-10 08:00",
     "out of hours, logged Tue 08:00; the school's second mail before the resolution: not first contact",
     [("2026-07-07 09:00", "assign"), ("2026-07-07 10:00", "mail", "It is the scanner in room 3."),
      ("2026-07-07 14:00", "resolve")])
case("C08", "2026-07-07 09:00", "U", "Phones down", "3 incident ICT | m- m- | - n n | 2026-07-07 17:00 / 2026-07-10 09:00",
     "an unknown sender (no school); nobody answered: both targets passed unmet")
case("C09", "2026-07-08 09:00", "T", "Whiteboard dead", "3 incident ICT | i30 m- | - n n | 2026-07-08 17:00 / 2026-07-13 09:00",
     "answered, never resolved: the resolution target (Mon 13 09:00) passed, a miss",
     [("09:30", "assign")])
case("C10", "2026-07-08 10:00", "S", "SIMS census fails", "3 incident MIS | i30 m2400 | y y n | 2026-07-08 18:00 / 2026-07-13 10:00",
     "resolved Tue 14 10:00, a day late (8 + 10 + 10 + 10 + 2 h); lateness does not spoil first contact",
     [("10:30", "assign"), ("2026-07-14 10:00", "resolve")])

# holds
case("C11", "2026-07-09 09:00", "O", "Door entry panel", "3 incident ICT | i30 i2400 | n y n | 2026-07-09 17:00 / 2026-07-15 09:30",
     "on hold awaiting the school 09:30 (the hold asks the school: the response); answered Fri 10:00: "
     "10 h 30 m paused, so Tue 14 09:00 moves to Wed 15 09:30; resolved Wed 09:00 in time; two mails",
     [("09:30", "hold", "awaiting_customer"), ("2026-07-10 10:00", "mail", "It is the panel by the office."),
      ("2026-07-15 09:00", "resolve")])
case("C12", "2026-07-13 09:00", "T", "SIMS exam entries", "2 incident MIS | i10 m1380 | n y n | 2026-07-13 10:00 / 2026-07-15 10:00",
     "DEFECT priority change during a pausing hold: on hold from Mon 10:00, made P2 on Tue 09:00: both "
     "due times again from logged_at (1h: Mon 10:00, met at 09:10; 1d: Tue 09:00); the answer Tue 11:00 "
     "ends 11 h paused: due Wed 10:00; resolved Wed 12:00: missed (the old P3 due would have passed it)",
     [("09:10", "assign"), ("10:00", "hold", "awaiting_customer"),
      ("2026-07-14 09:00", "priority", "2", "exam board deadline"),
      ("2026-07-14 11:00", "mail", "The candidates file is attached."), ("2026-07-15 12:00", "resolve")])
case("C13", "2026-07-14 09:00", "S", "Library PCs slow", "3 incident ICT | i5 -- | - n n | 2026-07-14 17:00 / 2026-07-17 09:00",
     "DEFECT stale due on a pausing hold: on hold awaiting the school since Tue 10:00, before its due "
     "(Fri 17 09:00), still on hold: the passed stale due is no miss, nothing decided",
     [("09:05", "assign"), ("10:00", "hold", "awaiting_customer")])
case("C14", "2026-07-01 11:00", "O", "Staff laptop", "3 incident ICT | i30 m- | - n n | 2026-07-02 09:00 / 2026-07-06 11:00",
     "put on hold Mon 6 12:00, an hour after its due (Mon 11:00): the miss stands",
     [("11:30", "assign"), ("2026-07-06 12:00", "hold", "awaiting_customer")])
case("C15", "2026-07-15 09:00", "T", "Sports hall sound", "3 incident ICT | i15 i3240 | y y n | 2026-07-15 17:00 / 2026-07-23 10:00",
     "deferred at the school's request Wed 12:00 until Mon 20 08:00: 26 h paused, so Mon 20 09:00 moves "
     "on 9 + 10 h of term and 6 h of the summer holiday to Thu 23 10:00; resolved Wed 22 14:00",
     [("09:15", "assign"), ("12:00", "hold", "customer_deferral", "2026-07-20T08:00:00+01:00"),
      ("2026-07-22 14:00", "resolve")])
case("C16", "2026-07-16 09:00", "S", "Server room air conditioning", "3 incident ICT | i30 m2280 | y y n | 2026-07-16 17:00 / 2026-07-21 09:00",
     "awaiting a change does not stop the clock: resolved Tue 21 17:00, after Tue 09:00",
     [("09:30", "assign"), ("10:00", "hold", "awaiting_change"), ("2026-07-21 16:00", "assign"),
      ("2026-07-21 17:00", "resolve")])

# responses from plain SQL
case("C17", "2026-07-17 09:00", "O", "Reading app crashes", "3 incident ICT | i60 i360 | y y n | 2026-07-17 17:00 / 2026-07-22 09:00",
     "DEFECT SQL response: a public comment inserted by plain SQL at 10:00 is the response (the daemon "
     "marks it with its notice); resolved 15:00; that one comment keeps first contact",
     [("10:00", "sql", "web.alice", "We have reinstalled the reading app."), ("15:00", "resolve")])
case("C18", "2026-07-17 09:00", "T", "Tablet trolley", "3 incident ICT | m600 m- | - n n | 2026-07-17 17:00 / 2026-07-22 09:00",
     "a plain-SQL comment on Mon 20 09:00 is a late response (9 h + 1 h); never resolved: missed",
     [("2026-07-20 09:00", "sql", "web.bob", "The trolley is booked for repair.")])
case("C19", "2026-07-20 09:00", "S", "Visitor wifi", "3 incident ICT | i120 i360 | y y n | 2026-07-20 17:00 / 2026-07-23 09:00",
     "a public event by caselog itself (plain SQL, 09:10) is no response; the assignment at 11:00 is",
     [("09:10", "sql", "caselog", "Automatic status note."), ("11:00", "assign"), ("15:00", "resolve")])

# reopenings
case("C20", "2026-07-06 09:00", "O", "Photocopier", "3 incident ICT | i20 i960 | n y y | 2026-07-06 17:00 / 2026-07-09 09:00",
     "DEFECT reactivated: resolved Mon 11:00, the school reopens it Tue 10:00, inside the 3-day window: "
     "reactivated; resolved again Tue 15:00 (9 + 7 h) in time; not first contact",
     [("09:20", "assign"), ("11:00", "resolve"), ("2026-07-07 10:00", "mail", "It has stopped working again."),
      ("2026-07-07 15:00", "resolve")])
case("C21", "2026-07-07 09:00", "T", "Smartboard pen", "3 incident ICT | i10 i660 | n y n | 2026-07-07 17:00 / 2026-07-10 09:00",
     "DEFECT reactivated: reopened by staff Tue 14:00: not a reactivation, but no first contact either",
     [("09:10", "assign"), ("10:00", "resolve"), ("14:00", "reopen"), ("2026-07-08 10:00", "resolve")])
case("C22", "2026-07-01 09:00", "S", "Minibus booking system", "3 incident ICT | i30 m2580 | n y n | 2026-07-01 17:00 / 2026-07-06 09:00",
     "DEFECT reactivated: resolved Wed 1 12:00; the school reopens it Tue 7 09:00, after the window "
     "(Mon 6 12:00): not a reactivation; resolved again Tue 12:00, after its due",
     [("09:30", "assign"), ("12:00", "resolve"), ("2026-07-07 09:00", "mail", "Still failing for every booking."),
      ("2026-07-07 12:00", "resolve")])
case("C23", "2026-07-09 09:00", "O", "Keyboard keys stick", "3 incident ICT | i5 i60 | y y n | 2026-07-09 17:00 / 2026-07-14 09:00",
     "the school's thanks (11:00) closes it; a thank-you after the resolution is no second contact",
     [("09:05", "assign"), ("10:00", "resolve"), ("11:00", "mail", "Thank you, please close.")])
case("C24", "2026-07-10 09:00", "T", "Printer again (duplicate)", "3 incident ICT | i30 i120 | y y n | 2026-07-10 17:00 / 2026-07-15 09:00",
     "closed by staff without a resolution: it counts as resolved when it closed (11:00)",
     [("09:30", "assign"), ("11:00", "close")])

# enquiries, a service request, complaints
case("C25", "2026-07-13 09:00", "S", "[enquiry] Exporting a class list from SIMS", "3 enquiry ICT | i15 i65 | y y n | 2026-07-13 17:00 / 2026-07-16 09:00",
     "DEFECT enquiry priority: `caselog priority 1` is refused (enquiries never above 3); answered "
     "with one comment; the enquiry rule comes before SIMS: queue ICT",
     [("09:15", "assign"), ("09:20", "refuse_priority", "1"),
      ("10:00", "comment", "Reports > Export > Class list."), ("10:05", "resolve")])
case("C26", "2026-07-14 09:00", "O", "How do I reset a pupil password?", "4 enquiry ICT | m660 i690 | y y n | 2026-07-15 09:00 / 2026-07-20 09:00",
     "\"how do I\" makes a P4 enquiry: answered Wed 10:00, an hour after its 1d target; resolved 10:30",
     [("2026-07-15 10:00", "comment", "Use Admin > Pupils > Reset password."), ("2026-07-15 10:30", "resolve")])
case("C27", "2026-07-16 09:00", "T", "[request] New starter account", "3 service_request ICT | i20 i600 | y y n | 2026-07-16 17:00 / 2026-07-21 09:00",
     "the service request rule asks for P2, capped at 3 (never above 3); resolved Fri 09:00",
     [("09:20", "assign"), ("2026-07-17 09:00", "resolve")])
case("C28", "2026-07-06 09:00", "S", "[complaint] Engineer did not turn up", "3 complaint Service | i1260 i5580 | y y n | 2026-07-09 09:00 / 2026-08-03 09:00",
     "complaint targets (3d / 20d) whatever the priority: acknowledged Wed 10:00 (9 + 10 + 2 h); "
     "20 working days run to Mon 3 August 09:00 (in the holiday's hours); resolved Fri 17 12:00",
     [("2026-07-08 10:00", "comment", "We are sorry: we are looking into it."), ("2026-07-17 12:00", "resolve")])
case("C29", "2026-07-20 10:00", "O", "[complaint] Repeated outages", "3 complaint Service | m1830 -- | - n n | 2026-07-23 10:00 / 2026-08-17 10:00",
     "3 working days from Mon 20 10:00 cross into the summer holiday: Thu 23 10:00; answered Fri 24 09:30 "
     "(8 + 10 + 6 + 6 h + 30 m): late; the 20-day resolution is not due yet",
     [("2026-07-24 09:30", "comment", "We apologise and will call you today.")])

# P1 round the clock
case("C30", "2026-07-10 23:00", "T", "[P1] Nobody can log in to anything", "1 incident ICT | i15 i150 | y y n | 2026-07-10 23:20 / 2026-07-11 03:00",
     "P1 at 23:00 runs round the clock: logged at once, due 23:20 and 03:00; answered 23:15, fixed 01:30",
     [("23:15", "assign"), ("2026-07-11 01:30", "resolve")])
case("C31", "2026-07-21 14:00", "S", "[P1] Network down", "1 incident ICT | m40 i180 | y y n | 2026-07-21 14:20 / 2026-07-21 18:00",
     "P1 answered after 40 m: late; resolved 17:00 inside 4 h",
     [("14:40", "assign"), ("17:00", "resolve")])
case("C32", "2026-07-26 10:00", "O", "[P1] Website defaced", "1 incident ICT | i10 m360 | y y n | 2026-07-26 10:20 / 2026-07-26 14:00",
     "P1 on a Sunday (round the clock): answered in 10 m; resolved after 6 h: late",
     [("10:10", "assign"), ("16:00", "resolve")])
case("C33", "2026-07-27 09:00", "T", "Fire alarm panel offline", "1 incident ICT | i10 i180 | y y n | 2026-07-27 09:20 / 2026-07-27 13:00",
     "raised from P3 to P1 at 09:30: both due times again from logged_at (09:00) round the clock",
     [("09:10", "assign"), ("09:30", "priority", "1", "whole school at risk"), ("12:00", "resolve")])

# P2
case("C34", "2026-07-01 13:00", "S", "[P2] Payroll export", "2 incident ICT | i30 i480 | y y n | 2026-07-01 14:00 / 2026-07-02 13:00",
     "P2: answered in 30 m; resolved Thu 11:00 (5 + 3 h), inside 1d",
     [("13:30", "assign"), ("2026-07-02 11:00", "resolve")])
case("C35", "2026-07-02 09:00", "O", "[P2] Class iPads", "2 incident ICT | m90 i420 | y y n | 2026-07-02 10:00 / 2026-07-03 09:00",
     "P2 answered after 90 m: late; resolved 16:00 in time",
     [("10:30", "assign"), ("16:00", "resolve")])
case("C36", "2026-07-03 16:00", "T", "[P2] Shared drive full", "2 incident ICT | i30 m660 | y y n | 2026-07-03 17:00 / 2026-07-06 16:00",
     "P2 from Friday 16:00: due Mon 16:00; resolved Mon 17:00 (2 + 9 h): late",
     [("16:30", "assign"), ("2026-07-06 17:00", "resolve")])
case("C37", "2026-07-23 14:30", "S", "[P2] Results upload", "2 incident ICT | i50 i330 | y y n | 2026-07-24 09:30 / 2026-07-24 14:30",
     "summer holiday hours (09:00-15:00): 30 m on Thursday, due Fri 09:30; answered 09:20; resolved "
     "14:00 before 14:30",
     [("2026-07-24 09:20", "assign"), ("2026-07-24 14:00", "resolve")])
case("C38", "2026-07-25 10:00", "O", "[P2] CCTV recorder", "2 incident ICT | i30 m420 | y y n | 2026-07-27 10:00 / 2026-07-28 09:00",
     "a Saturday mail in the holiday is logged Mon 27 09:00; resolved Tue 10:00 (6 + 1 h): late",
     [("2026-07-27 09:30", "assign"), ("2026-07-28 10:00", "resolve")])
case("C39", "2026-07-29 09:00", "T", "[P2] Door locks", "2 incident ICT | i45 m- | - n n | 2026-07-29 10:00 / 2026-07-30 09:00",
     "P2 answered in time, not resolved by Thu 30 09:00: missed",
     [("09:45", "assign")])

# P4 and P5
case("C40", "2026-07-06 10:00", "S", "[P4] Spare mouse", "4 incident ICT | i300 i1800 | y y n | 2026-07-07 10:00 / 2026-07-10 10:00",
     "P4: answered 15:00 (5 h); resolved Thu 10:00 (8 + 10 + 10 + 2 h), inside 4d",
     [("15:00", "assign"), ("2026-07-09 10:00", "resolve")])
case("C41", "2026-07-27 10:00", "O", "[P4] Label printer", "4 incident ICT | m- m- | - n n | 2026-07-28 10:00 / 2026-07-31 10:00",
     "P4 in the holiday, never answered: both due times passed before 3 August")
case("C42", "2026-07-31 14:00", "T", "[P4] New toner", "4 incident ICT | -- -- | - n n | 2026-08-03 14:00 / 2026-08-06 14:00",
     "P4 on the last afternoon: due Mon 3 Aug 14:00, after the report's 12:00: nothing decided")
case("C43", "2026-07-01 09:00", "S", "[change] Add a new attendance report", "5 change_request Changes | i120 i2460 | y y n | 2026-07-02 09:00 / 2026-07-08 09:00",
     "a change request (P5, 1d / 5d): acknowledged 11:00; done Tue 7 10:00",
     [("11:00", "comment", "Accepted for the next release."), ("2026-07-07 10:00", "resolve")])
case("C44", "2026-07-13 09:00", "O", "[change] Move printers to a new VLAN", "5 change_request Changes | m660 m- | - n n | 2026-07-14 09:00 / 2026-07-20 09:00",
     "on hold awaiting a change at 09:30: not public, so no response; the comment Tue 10:00 is late; "
     "awaiting a change does not stop the clock: the resolution passed on Mon 20",
     [("09:30", "hold", "awaiting_change"), ("2026-07-14 10:00", "comment", "Scheduled for the holiday.")])

# sixteen plain cases
for cid, day, school, subject, sims in [
        ("C45", "2026-07-02", "T", "Projector bulb", False), ("C46", "2026-07-03", "S", "Mouse broken", False),
        ("C47", "2026-07-06", "O", "login slow", True), ("C48", "2026-07-07", "T", "Headphones", False),
        ("C49", "2026-07-08", "S", "Webcam", False), ("C50", "2026-07-09", "O", "Speakers crackle", False),
        ("C51", "2026-07-10", "T", "Chromebook screen", False), ("C52", "2026-07-13", "S", "timetable", True),
        ("C53", "2026-07-14", "O", "Visualiser", False), ("C54", "2026-07-15", "T", "Printer toner", False),
        ("C55", "2026-07-16", "S", "Staff room TV", False), ("C56", "2026-07-17", "O", "Hall lights panel", False),
        ("C57", "2026-07-20", "T", "attendance", True), ("C58", "2026-07-21", "S", "Laminator", False),
        ("C59", "2026-07-23", "O", "Office phone", False), ("C60", "2026-07-24", "T", "Music keyboard", False)]:
    bulk(cid, day, school, subject, sims)

# Daemon passes (other than the first, which logs every case's first mail at the start):
# each after mail from a school, a plain-SQL response or a deferral's end that a later
# command on the same case must find done, and one just before the report.
PASSES = ["2026-06-16 09:01", "2026-07-07 10:01", "2026-07-09 11:01", "2026-07-10 10:01", "2026-07-14 11:01",
          "2026-07-17 10:01", "2026-07-20 08:01", "2026-08-03 11:59"]

# The "all" rows counted by hand, field by field (a check on the per-case counting too).
ALL_JULY = dict(logged=60, response_in_time=50, response_missed=9, response_decided=59, response_missed_pct=15.3,
                response_in_time_pct=84.7, response_result="missed", resolution_in_time=43, resolution_missed=14,
                resolution_decided=57, resolution_missed_pct=24.6, resolution_in_time_pct=75.4,
                resolution_result="missed", first_contact=43, resolved=50, first_contact_pct=86.0,
                first_contact_result="met", reactivated=1, ever_resolved=50, reactivated_pct=2.0,
                reactivation_result="met", respond_count=57, respond_median="0h 30m", respond_p90="9h 30m",
                resolve_count=50, resolve_median="5h 30m", resolve_p90="40h 00m")
ALL_JUNE = dict(logged=6, response_in_time=4, response_missed=2, response_decided=6, response_missed_pct=33.3,
                resolution_missed=2, resolution_decided=6, first_contact=4, resolved=5, first_contact_pct=80.0,
                reactivated=1, ever_resolved=5, reactivated_pct=20.0, reactivation_result="missed",
                respond_median="0h 30m", respond_p90="10h 00m", resolve_median="12h 00m", resolve_p90="20h 00m")

# ------------------------------------------------------------------------------- driver
passed = failed = 0


def check(name, expected, actual):
    global passed, failed
    if expected == actual:
        passed += 1
    else:
        failed += 1
        print("FAILED: %s: expected %r, got %r" % (name, expected, actual))


def local(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)


def iso(text):
    return local(text).isoformat()


def run(argv, now, ok=(0,)):
    env = dict(os.environ, CASELOG_NOW=iso(now))
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit("%s at %s: exit %d\n%s%s" % (" ".join(argv), now, p.returncode, p.stdout, p.stderr))
    return p


def caselog(now, *args, ok=(0,)):
    return run([CASELOG, "-c", CONF, "--as", "alice"] + list(args), now, ok)


def daemon_pass(now):
    run([CASELOGD, "-c", CONF, "--once"], now)


def sql(query):
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", DB, "-c", query], capture_output=True,
                       text=True)
    if p.returncode:
        sys.exit("psql: %s\n%s" % (query, p.stderr))
    return p.stdout.strip()


def sender(c):
    return "%s@%s" % (c["id"].lower(), SCHOOLS[c["school"]][2])


def message(c, subject, body, n):
    return ("From: %s <%s>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <%s-%d-%d@%s>\r\n"
            "Date: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n") % (
        "Staff " + c["id"], sender(c), subject, c["id"], n, os.getpid(), SCHOOLS[c["school"]][2],
        email.utils.format_datetime(local(c["received"])), body)


def imap_append(items):
    """items: (raw bytes, local time) appended to the desk's folder."""
    ctx = ssl.create_default_context(cafile=os.environ["CASELOG_TEST_CA_FILE"])
    imap = imaplib.IMAP4(os.environ["CASELOG_TEST_IMAP_HOST"], int(os.environ["CASELOG_TEST_IMAP_PORT"]))
    imap.starttls(ssl_context=ctx)
    imap.login("desk", "secret-desk")
    imap.create(FOLDER)
    for raw, when in items:
        typ, data = imap.append(FOLDER, None, imaplib.Time2Internaldate(local(when)), raw.encode())
        if typ != "OK":
            sys.exit("append failed: %r" % data)
    imap.logout()


def parse_expect(c):
    m = re.fullmatch(r"(\d) (\w+) (\w+) \| (\S+) (\S+) \| ([yn-]) ([yn]) ([yn]) \| (.+) / (.+)", c["expect"])
    if not m:
        sys.exit("bad expectation for %s: %s" % (c["id"], c["expect"]))
    c.update(priority=int(m[1]), type=m[2], queue=m[3], resp=m[4], res=m[5], fcr=m[6], ever=m[7], react=m[8],
             response_due=m[9], resolution_due=m[10])


def timeline():
    acts = []
    for c in CASES:
        day = c["received"][:10]
        for a in c["acts"]:
            when = a[0] if len(a[0]) > 5 else "%s %s" % (day, a[0])
            acts.append((local(when), when, c, a[1], a[2:]))
    for p in PASSES:
        acts.append((local(p), p, None, "pass", ()))
    return sorted(acts, key=lambda a: a[0])


def act(when, c, verb, args, refs):
    ref = refs.get(c["id"]) if c else None
    if verb == "pass":
        daemon_pass(when)
    elif verb in ("assign", "resolve", "close", "reopen"):
        caselog(when, verb, ref)
    elif verb == "comment":
        caselog(when, "comment", ref, args[0])
    elif verb == "hold":
        caselog(when, "hold", ref, "--reason", args[0], *(["--until", args[1]] if len(args) > 1 else []))
    elif verb == "priority":
        caselog(when, "priority", ref, args[0], "--reason", args[1])
    elif verb == "refuse_priority":
        p = caselog(when, "priority", ref, args[0], "--reason", "try", ok=(1,))
        check("%s: priority %s refused for an enquiry, with the reason" % (c["id"], args[0]), True,
              "never above priority 3" in p.stderr)
    elif verb == "mail":
        c["mails"] = c.get("mails", 1) + 1
        imap_append([(message(c, "Re: [%s] %s" % (ref, c["subject"]), args[0], c["mails"]), when)])
    elif verb == "sql":
        sql("INSERT INTO case_events (case_id, actor, kind, public, at, data) SELECT id, '%s', 'comment', true, "
            "'%s', jsonb_build_object('text', '%s') FROM cases WHERE reference = '%s'" % (args[0], iso(when),
                                                                                         args[1], ref))
    else:
        sys.exit("unknown action %s" % verb)


def explain_agrees(refs):
    """Every case's due times as first logged are what `caselog explain --at` says."""
    for c in CASES:
        path = os.path.join(WORK, c["id"] + ".eml")
        with open(path, "w") as f:
            f.write(message(c, c["subject"], "The first mail.", 1))
        e = json.loads(caselog(AS_OF, "explain", path, "--at", iso(c["received"]), "--json").stdout)
        row = sql("SELECT to_char(response_due AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') || '|' || "
                  "to_char(resolution_due AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') FROM cases "
                  "WHERE reference = '%s'" % refs[c["id"]])
        def minute(t):
            return datetime.datetime.fromisoformat(t).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        check("%s: explain's due times are the logged case's" % c["id"], row,
              "%s|%s" % (minute(e["response_due"]), minute(e["resolution_due"])))
        c["explain"] = e


def minutes(token):
    return None if token[1:] in ("-", "") else int(token[1:])


def hm(m):
    return "%dh %02dm" % (m // 60, m % 60)


def pct(part, whole):
    return None if whole == 0 else ((2000 * part + whole) // (2 * whole)) / 10


def rank(values, p):
    values = sorted(values)
    return values[max(1, min(len(values), (p * len(values) + 99) // 100)) - 1] if values else None


def expected_row(cases, targets):
    """The report's fields for these cases, from their hand-written classifications."""
    f = dict(logged=len(cases))
    for name, key, target in (("response", "resp", "response_target"), ("resolution", "res", "resolution_target")):
        decided = [c for c in cases if c[key] != "--"]
        missed = sum(c[key][0] == "m" for c in decided)
        f.update({name + "_in_time": len(decided) - missed, name + "_missed": missed,
                  name + "_decided": len(decided), name + "_missed_pct": pct(missed, len(decided)),
                  name + "_in_time_pct": pct(len(decided) - missed, len(decided)),
                  name + "_target_pct": targets[target],
                  name + "_result": None if not decided else
                  "met" if 100 * (len(decided) - missed) >= targets[target] * len(decided) else "missed"})
    resolved = [c for c in cases if c["res"] != "--" and minutes(c["res"]) is not None]
    fcr = sum(c["fcr"] == "y" for c in resolved)
    ever = [c for c in cases if c["ever"] == "y"]
    react = sum(c["react"] == "y" for c in ever)
    f.update(first_contact=fcr, resolved=len(resolved), first_contact_pct=pct(fcr, len(resolved)),
             first_contact_target_pct=targets["first_contact_target"],
             first_contact_result=None if not resolved else
             "met" if 100 * fcr >= targets["first_contact_target"] * len(resolved) else "missed",
             reactivated=react, ever_resolved=len(ever), reactivated_pct=pct(react, len(ever)),
             reactivation_max_pct=targets["reactivation_max"],
             reactivation_result=None if not ever else
             "met" if 100 * react <= targets["reactivation_max"] * len(ever) else "missed")
    for name, key in (("respond", "resp"), ("resolve", "res")):
        values = [minutes(c[key]) for c in cases if c[key] != "--" and minutes(c[key]) is not None]
        for stat, p in (("median", 50), ("p90", 90)):
            v = rank(values, p)
            f[name + "_" + stat] = None if v is None else hm(v)
            f[name + "_" + stat + "_minutes"] = v
        f[name + "_count"] = len(values)
    return f


def group_key(c, by):
    if by == "priority":
        return "P%d %s" % (c["priority"], ["Critical", "High", "Medium", "Low", "Change request"][c["priority"] - 1])
    if by == "school":
        return SCHOOLS[c["school"]][0] or "(none)"
    return c[by]


def expected_rows(by, targets):
    periods = [("2026-07", "2026-07-01", "2026-07-31"), ("2026-06", "2026-06-01", "2026-06-30")]
    if by == "priority":
        groups = ["P1 Critical", "P2 High", "P3 Medium", "P4 Low", "P5 Change request"]
    elif by == "type":
        groups = ["incident", "service_request", "enquiry", "change_request", "complaint"]
    else:
        names = {group_key(c, by) for c in CASES}
        groups = sorted(n for n in names if n != "(none)") + (["(none)"] if "(none)" in names else [])
    rows = []
    for group in ["all"] + groups:
        for label, first, last in periods:
            cases = [c for c in CASES if c["received"][:7] == label and (group == "all" or group_key(c, by) == group)]
            row = dict(period=label, **{"from": first}, to=last, by=by, group=group)
            row.update(expected_row(cases, targets))
            rows.append(row)
    return rows


def check_report(by, targets):
    got = json.loads(caselog(AS_OF, "report", "--month", "2026-07", "--by", by, "--format", "json").stdout)
    check("report --by %s: the periods" % by, ("2026-07", "2026-06"),
          (got["period"]["label"], got["previous"]["label"]))
    want = expected_rows(by, targets)
    check("report --by %s: its rows" % by, [(r["group"], r["period"]) for r in want],
          [(r["group"], r["period"]) for r in got["rows"]])
    for w, g in zip(want, got["rows"]):
        for k, v in w.items():
            check("report --by %s, %s %s: %s" % (by, w["group"], w["period"], k), v, g.get(k, "missing"))
        check("report --by %s, %s %s: no other fields" % (by, w["group"], w["period"]), sorted(w), sorted(g))
    return got


def check_csv_and_text(got_json):
    text = caselog(AS_OF, "report", "--month", "2026-07", "--format", "csv").stdout
    rows = list(csv.DictReader(text.splitlines()))
    check("csv: one row per JSON row", len(got_json["rows"]), len(rows))
    for j, c in zip(got_json["rows"], rows):
        for k, v in j.items():
            shown = "" if v is None else ("%.1f" % v if isinstance(v, float) else str(v))
            check("csv %s %s: %s" % (j["group"], j["period"], k), shown, c.get(k))
    out = caselog(AS_OF, "report", "--month", "2026-07").stdout
    for j in got_json["rows"][::2]:  # each group's block shows the current period beside the previous
        block = out.split("\n" + j["group"] + " ", 1)
        check("text: a block for %s" % j["group"], 2, len(block))
        if len(block) < 2:
            continue
        lines = block[1].split("\n")
        want = "%d of %d (%s)" % (j["response_in_time"], j["response_decided"],
                                  "%.1f%%" % j["response_in_time_pct"] if j["response_in_time_pct"] is not None else "-")
        check("text %s: responses in time" % j["group"], True, want in lines[2])
        want = "%d of %d" % (j["reactivated"], j["ever_resolved"])
        check("text %s: reactivated" % j["group"], True, want in lines[7])
        want = "-" if j["resolve_median"] is None else "%s, %s (%d)" % (j["resolve_median"], j["resolve_p90"],
                                                                       j["resolve_count"])
        check("text %s: time to resolve" % j["group"], True, want in lines[9])


def main():
    for c in CASES:
        parse_expect(c)
    check("cases logged in July, counted by hand", 60, sum(c["received"].startswith("2026-07") for c in CASES))
    for key, (name, ident, domain) in SCHOOLS.items():
        if name:
            caselog("2026-06-01 00:00", "schools", "add", name, ident, domain)
    imap_append([(message(c, c["subject"], "The first mail.", 1), c["received"]) for c in CASES])
    daemon_pass("2026-06-01 00:00")
    refs = dict(line.split("|") for line in sql(
        "SELECT substring(subject FROM '\\((\\w+)\\)$') || '|' || reference FROM cases").splitlines())
    check("every first mail made a case", sorted(c["id"] for c in CASES), sorted(refs))
    explain_agrees(refs)
    for _, when, c, verb, args in timeline():
        act(when, c, verb, args, refs)
    for c in CASES:
        row = sql("SELECT to_char(response_due AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') || ' / ' || "
                  "to_char(resolution_due AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') || ' P' || priority "
                  "FROM cases WHERE reference = '%s'" % refs[c["id"]])
        check("%s: due times counted by hand (%s)" % (c["id"], c["why"][:60]),
              "%s / %s P%d" % (c["response_due"], c["resolution_due"], c["priority"]), row)
    e30, e37, e28 = (next(c for c in CASES if c["id"] == i)["explain"] for i in ("C30", "C37", "C28"))
    check("explain: the P1 at 23:00 runs round the clock", ("24x7", None), (e30["clock"], e30["hours_profile"]))
    check("explain: the summer holiday profile applied", ("desk", "summer holiday"), (e37["clock"], e37["hours_profile"]))
    check("explain: a complaint's targets come from its type", ("3d", "type", "20d", "type"),
          (e28["response_target"], e28["response_target_from"], e28["resolution_target"],
           e28["resolution_target_from"]))
    check("C17: the plain-SQL comment is the response (marked by the daemon)", "2026-07-17 10:00",
          sql("SELECT to_char(responded_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') FROM cases "
              "WHERE reference = '%s'" % refs["C17"]))
    check("C13: still on hold, its stale due passed", "on_hold|awaiting_customer",
          sql("SELECT state || '|' || hold_reason FROM cases WHERE reference = '%s'" % refs["C13"]))
    check("C20, C21, C22: reactivations", "1|0|0", sql(
        "SELECT string_agg(reactivations::text, '|' ORDER BY reference) FROM cases WHERE reference IN ('%s', '%s', '%s')"
        % (refs["C20"], refs["C21"], refs["C22"])))
    targets = dict(response_target=95, resolution_target=90, reactivation_max=3, first_contact_target=60)
    by_priority = check_report("priority", targets)
    for by in ("type", "queue", "school"):
        check_report(by, targets)
    for want, row in ((ALL_JULY, by_priority["rows"][0]), (ALL_JUNE, by_priority["rows"][1])):
        for k, v in want.items():
            check("the %s row of all, counted by hand: %s" % (row["period"], k), v, row.get(k))
    check_csv_and_text(by_priority)
    print("sla_month: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
