"""stylist: a self-hostable conversational AI stylist for fashion shops."""

__version__ = "0.1.0"
