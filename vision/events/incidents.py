"""Incident lifecycle (事件生命周期): open → update → end, one alert per incident.

Candidates with the same key (camera, kind, zone) are one continuing
incident with a stable UUIDv7. A new revision is issued when the incident
opens, when it changes materially (another machine, another crossing, more
changed ground, higher severity), when its evidence clip is ready, every
``update_every_s`` while it continues, and when it has not been seen for
its end time. Everything in between only moves ``last_seen_at``.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import msgspec
import uuid_utils

from mobile_contract.alerts import AlertKind, AlertMedia, Severity
from vision.config import RuleTuning
from vision.types import AlertCandidate, IncidentKey

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Reason(enum.StrEnum):
    OPENED = "opened"
    CHANGED = "changed"
    EVIDENCE = "evidence"
    CONTINUING = "continuing"
    ENDED = "ended"


class Incident(msgspec.Struct):
    id: uuid.UUID
    key: IncidentKey
    revision: int
    started_at: dt.datetime
    opened_at: dt.datetime  # when the rule fired: the clip is centred here
    last_seen_at: dt.datetime
    issued_at: dt.datetime
    latest: AlertCandidate
    severity: Severity
    ended_at: dt.datetime | None = None
    media: list[AlertMedia] = []
    clip_done: bool = False


class Revision(msgspec.Struct, frozen=True):
    """An incident that needs a new revision sent, and why."""

    incident: Incident
    reason: Reason


class IncidentBook:
    def __init__(self, tuning: RuleTuning) -> None:
        self.tuning = tuning
        self.open: dict[IncidentKey, Incident] = {}

    def observe(self, candidates: list[AlertCandidate], at: dt.datetime) -> list[Revision]:
        """Fold this frame's candidates into incidents; returns those needing a revision."""
        revisions = [self._fold(candidate) for candidate in candidates]
        revisions += self._heartbeats(at, {c.key for c in candidates})
        return [r for r in revisions if r is not None]

    def expire(self, at: dt.datetime) -> list[Revision]:
        """Incidents not seen for their end time have ended (ended at their last sighting)."""
        ended = [i for i in self.open.values() if (at - i.last_seen_at).total_seconds() >= self._end_after(i)]
        return [self.end(incident) for incident in ended]

    def end(self, incident: Incident) -> Revision:
        del self.open[incident.key]
        incident.ended_at = incident.last_seen_at
        return self._issue(incident, Reason.ENDED, incident.last_seen_at)

    def attach(self, incident: Incident, media: list[AlertMedia], *, clip: bool) -> Revision:
        incident.media = [*incident.media, *media]
        incident.clip_done = incident.clip_done or clip
        return self._issue(incident, Reason.EVIDENCE, incident.last_seen_at)

    def _fold(self, candidate: AlertCandidate) -> Revision | None:
        incident = self.open.get(candidate.key)
        if incident is None:
            return self._open(candidate)
        previous = incident.latest
        incident.latest, incident.last_seen_at = candidate, max(incident.last_seen_at, candidate.at)
        if _RANK[candidate.severity] > _RANK[incident.severity]:
            incident.severity = candidate.severity
            return self._issue(incident, Reason.CHANGED, candidate.at)
        if candidate.material != previous.material:
            return self._issue(incident, Reason.CHANGED, candidate.at)
        return None

    def _open(self, candidate: AlertCandidate) -> Revision:
        incident = Incident(
            id=uuid.UUID(str(uuid_utils.uuid7())),
            key=candidate.key,
            revision=0,
            started_at=candidate.since or candidate.at,
            opened_at=candidate.at,
            last_seen_at=candidate.at,
            issued_at=candidate.at,
            latest=candidate,
            severity=candidate.severity,
        )
        self.open[candidate.key] = incident
        return self._issue(incident, Reason.OPENED, candidate.at)

    def _heartbeats(self, at: dt.datetime, seen: set[IncidentKey]) -> list[Revision]:
        every = self.tuning.update_every_s
        due = [i for k, i in self.open.items() if k in seen and (at - i.issued_at).total_seconds() >= every]
        return [self._issue(incident, Reason.CONTINUING, at) for incident in due]

    def _issue(self, incident: Incident, reason: Reason, at: dt.datetime) -> Revision:
        incident.revision += 1
        incident.issued_at = at
        return Revision(incident=incident, reason=reason)

    def _end_after(self, incident: Incident) -> float:
        if incident.key.kind is AlertKind.HAUL_CROSSING:
            return self.tuning.crossing_end_after_s
        return self.tuning.end_after_s
