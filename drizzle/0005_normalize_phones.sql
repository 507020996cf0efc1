-- Phone numbers are E.164 (+, country code, number, 15 digits at most), as the PhoneNumber
-- scalar now holds on input and on output. Values stored before it: formatting (spaces, dots,
-- dashes, slashes, parentheses) is dropped and a 00 international prefix becomes +; what is
-- still not E.164 (a local number such as 0612345678, whose country cannot be known) is set to
-- NULL rather than guessed, since a wrong number would reach the wrong person.
UPDATE contacts SET phone = CASE
    WHEN regexp_replace(regexp_replace(phone, '[[:space:]()./-]', '', 'g'), '^00', '+') ~ '^\+[1-9][0-9]{1,14}$'
    THEN regexp_replace(regexp_replace(phone, '[[:space:]()./-]', '', 'g'), '^00', '+')
  END
  WHERE phone IS NOT NULL AND phone !~ '^\+[1-9][0-9]{1,14}$';
--> statement-breakpoint
UPDATE users SET phone = CASE
    WHEN regexp_replace(regexp_replace(phone, '[[:space:]()./-]', '', 'g'), '^00', '+') ~ '^\+[1-9][0-9]{1,14}$'
    THEN regexp_replace(regexp_replace(phone, '[[:space:]()./-]', '', 'g'), '^00', '+')
  END
  WHERE phone IS NOT NULL AND phone !~ '^\+[1-9][0-9]{1,14}$';
