"""Enterprise credit (企业信用, issue 20): the entity's credit record, annual reports, the
abnormal-operations list and risk classes. Credit owns credit: every other app reports a
credit fact by a hand-over (core.handover, kind CREDIT), never by writing here.

What credit takes from a CREDIT hand-over (any topic; an unknown topic is recorded as it is):
- the hand-over's own fields: topic and topic_label, the entity (entity_id, uscc,
  entity_name), the unit (the record's data scope), occurred_on, title, detail, and the
  source (source_type, source_id, source_number, source_url);
- from `data`, all optional:
  - "adverse" (bool): counts against the entity (default true);
  - "public" (bool): shown on the entity's public credit page (default: true for the topics
    in models.PUBLIC_TOPICS, false otherwise);
  - "legal_basis" (str): the article applied, shown beside the record;
  - "authority" (str): the deciding body, if not the sending unit;
  - "amount_fen" (int): a fine or sum, in fen;
  - "result_code" (str): a spot-check result code (domain.md §1, e.g. "6" unreachable);
  - "publish_until" (ISO date): the end of its publication, where a rule sets one.
  Everything in `data` is kept on the record as sent.

Topics credit knows by name (models.TOPIC_CATEGORIES): "licensing.false_commitment",
"inspections.unreachable" (also a ground for the abnormal-operations list),
"inspections.problem_found", "enforcement.penalty".
"""
