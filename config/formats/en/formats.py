# Canadian government style: ISO 8601 numeric dates, unambiguous in both languages.
DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "F j, Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
