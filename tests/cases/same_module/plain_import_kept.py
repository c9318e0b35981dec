# rules: logging.warn -> logging.warning
# module: app.views
import logging

logging.warn(1)
# output
import logging

logging.warning(1)
