"""Polish short dates as people write them: 27.11.2026 (Django's own says 27-11-2026).

Pages show dates with SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT; inputs always carry ISO values
(config/widgets.py). The long format (DATE_FORMAT, "27 listopada 2026") stays Django's.
"""

SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
