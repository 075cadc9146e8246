-- 024_staff_mail: mail from staff (issue #17; docs/DECISIONS.md "Identity").
--
-- messages.from_staff: the sender was staff (one of the desk's own addresses, or a
--   current staff member's own address in `staff`): a colleague who copies the desk in
--   on their mail to a school. It is kept on the case as an internal `from_staff`
--   event and changes nothing: it is not the school's answer (it ends no hold, closes
--   and reopens nothing), not the school's contact in the service report, and never
--   the message our In-Reply-To names.
ALTER TABLE messages ADD COLUMN from_staff boolean NOT NULL DEFAULT false;
