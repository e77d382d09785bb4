from mobile_contract.alerts import AlertKind, Severity
from tests.vision.helpers import at
from vision.config import RuleTuning
from vision.events.incidents import IncidentBook, Reason
from vision.types import AlertCandidate, IncidentKey, TamperFacts, TamperKind

KEY = IncidentKey("cam-1", AlertKind.CAMERA_COVERED)
TUNING = RuleTuning(end_after_s=30, update_every_s=300, crossing_end_after_s=120)


def candidate(second: float, *, material: str = "", severity: Severity = Severity.WARNING, key: IncidentKey = KEY):
    facts = TamperFacts(TamperKind.COVERED, 0.01, 0.04)
    return AlertCandidate(key=key, severity=severity, at=at(second), summary="遮挡", facts=facts, material=material)


def test_one_incident_per_continuing_condition_with_revisions_only_when_it_matters() -> None:
    book = IncidentBook(TUNING)
    opened = book.observe([candidate(0)], at(0))
    assert [r.reason for r in opened] == [Reason.OPENED] and opened[0].incident.revision == 1
    quiet = [book.observe([candidate(s)], at(s)) for s in range(1, 100)]
    assert all(r == [] for r in quiet)  # the same state again and again: no flood
    changed = book.observe([candidate(100, material="x")], at(100))
    assert [r.reason for r in changed] == [Reason.CHANGED] and changed[0].incident.revision == 2
    assert changed[0].incident.id == opened[0].incident.id


def test_a_continuing_incident_refreshes_every_update_interval() -> None:
    book = IncidentBook(TUNING)
    reasons = [r.reason for s in range(0, 700, 10) for r in book.observe([candidate(s)], at(s))]
    assert reasons == [Reason.OPENED, Reason.CONTINUING, Reason.CONTINUING]


def test_higher_severity_is_a_new_revision() -> None:
    book = IncidentBook(TUNING)
    book.observe([candidate(0)], at(0))
    revisions = book.observe([candidate(1, severity=Severity.CRITICAL)], at(1))
    assert revisions[0].incident.severity is Severity.CRITICAL


def test_it_ends_at_its_last_sighting_once_unseen_for_the_end_time() -> None:
    book = IncidentBook(TUNING)
    book.observe([candidate(0)], at(0))
    book.observe([candidate(5)], at(5))
    assert book.expire(at(34)) == []
    ended = book.expire(at(35))
    assert [r.reason for r in ended] == [Reason.ENDED]
    assert ended[0].incident.ended_at == at(5) and ended[0].incident.revision == 2
    assert book.observe([candidate(40)], at(40))[0].incident.id != ended[0].incident.id  # a new incident


def test_truck_movements_at_a_closed_site_end_later() -> None:
    book = IncidentBook(TUNING)
    crossing = IncidentKey("cam-1", AlertKind.HAUL_CROSSING, "出口")
    book.observe([candidate(0, key=crossing)], at(0))
    assert book.expire(at(60)) == []
    assert len(book.expire(at(120))) == 1
