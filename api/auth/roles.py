"""Role groups several domains share (角色组). A group only one domain uses stays beside its routes."""

from __future__ import annotations

from api.auth.guards import requires
from mobile_contract.auth import Role

# Who reads the enforcement file (执法案卷: records, cases, evidence, documents, subjects …) of their department.
FILE_READERS = requires(Role.INSPECTOR, Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.ADMIN)
INSPECTORS = requires(Role.INSPECTOR)  # who writes records and opens cases in the field (执法人员)
