"""Budget transparency: civil-society monitors score the municipal budget transparency checklist
with evidence, the LSG replies, a second monitor reviews; residents name what next year's budget
should fund first."""
