-- Throttling of sign-in and the public complaint entrances (issue 12, security 5 and 6).
-- In the database, not in a process: several API workers share one count.

-- One counter per (scope, subject): a client address, or a username exactly as typed (an
-- account that does not exist is counted like one that does, so answers reveal nothing).
-- ``events`` counts failures (sign-in, lookup) or submissions in the window that began at
-- ``window_started_at``; ``wait_until`` is the back-off or rate-limit wait, ``locked_until``
-- an account lockout, which an admin can lift earlier.
CREATE TABLE throttle_counters (
    scope             text NOT NULL
        CHECK (scope IN ('sign_in_address', 'sign_in_account', 'lookup_address', 'submit_address')),
    subject           text NOT NULL,
    events            integer NOT NULL DEFAULT 0,
    window_started_at timestamptz NOT NULL DEFAULT now(),
    wait_until        timestamptz,
    locked_until      timestamptz,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX throttle_counters_waiting ON throttle_counters (greatest(wait_until, locked_until))
    WHERE wait_until IS NOT NULL OR locked_until IS NOT NULL;

-- Requests refused because their counter was waiting, counted per address and minute (one
-- row per minute, however many requests a flood sends), for supervisors to see.
CREATE TABLE throttle_refusals (
    minute  timestamptz NOT NULL,
    scope   text NOT NULL,
    address text NOT NULL,
    refused integer NOT NULL,
    PRIMARY KEY (minute, scope, address)
);
