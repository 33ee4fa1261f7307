"""The verbs the platform reads (records that count) and writes (its own statements)."""

from __future__ import annotations

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
SCORED = "http://adlnet.gov/expapi/verbs/scored"
REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
# cmi5 defines its completed and passed verbs as these same ADL IRIs (cmi5 9.3.4, 9.3.6).
COUNTING = frozenset({COMPLETED, PASSED})
