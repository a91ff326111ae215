"""The contract's version, which the wheel (lianrong-events) and the AsyncAPI document carry.

Major: a breaking change somewhere (an event got a new version; readers need the upcasters of this release).
Minor: events or optional fields added (old readers read everything). Patch: descriptions only.
"""

__version__ = "2.3.0"  # 2: NeedEscalated v2; .1: decision-overdue and revocation events, reason codes; .2: the desk;
# .3: score components carry their params
