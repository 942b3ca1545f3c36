"""The merchandiser's side (issue 17): the demand log, trends with probabilities, the demand outlook,
conversation analytics, reports and the staff console (``/admin``).

:mod:`.demand` (the log, written by a Stylist observer), :mod:`.trends` (stored forecasts as staff
rows, the outlook), :mod:`.analytics` (thumbs by answer type), :mod:`.report` (HTML + CSV),
:mod:`.console` (the Gradio Blocks) and :mod:`.auth` (the token).
"""
