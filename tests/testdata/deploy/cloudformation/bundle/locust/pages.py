"""What browse.py asks for, and how long it waits: the scenario's load.parameters, which the
workers find in LOADGATE_PARAMETERS as JSON."""

import json
import os

HOME_NAME = "/v1/recommendations/home"
HOME = f"{HOME_NAME}?user_id=11&n=10"
THINK_TIME_S = float(json.loads(os.environ.get("LOADGATE_PARAMETERS", "{}")).get("think_time_s", 1))
