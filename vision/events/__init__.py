"""Events (告警事件): incidents, their evidence, the outbox and delivery.

``IncidentBook`` folds rule candidates into incidents; ``Publisher`` turns
each revision into an ``AlertUpsert`` with its media and queues it in the
``Outbox``; ``Delivery`` empties the outbox into S3 and the API.
"""

from vision.events.incidents import Incident, IncidentBook, Reason, Revision
from vision.events.outbox import Outbox
from vision.events.publisher import Publisher

__all__ = ["Incident", "IncidentBook", "Outbox", "Publisher", "Reason", "Revision"]
