"""The personal stylist: shopper profiles, learned taste and personalised ranking (issue 16).

- ``facts``: what a shopper says about themselves, read by rules (sizes, disliked and liked
  colours, usual spend, who they shop for), never by the language model;
- ``store``: profiles, signals and the shopper's threads in SQLite or PostgreSQL, with migrations;
- ``apply``: the profile's hard facts (size, disliked colours) added to a turn's plan where the
  shopper said nothing else, and the sentence the answer says about them;
- ``ranking``: the collaborative model (ALS item factors, fold-in of the shopper's vector) and the
  content profile, blended into a reordering of the search's candidates;
- ``train``: training the collaborative model (``stylist personalise train``);
- ``middleware``: both inside the agent graph (after the turn planner, around the search tool);
- ``service``: :class:`Personaliser`, what the stylist, the API and the UI call.
"""

from stylist.personal.service import EVENT_KINDS, Personaliser, UnknownEvent, clean_shopper_id

__all__ = ["EVENT_KINDS", "Personaliser", "UnknownEvent", "clean_shopper_id"]
