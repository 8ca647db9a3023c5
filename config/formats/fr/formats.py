# fr-CA (OQLF, Canada.ca): "1er décembre 2026" (the "1er" comes from config.typography, Django has no
# French ordinal), hours "9 h 47" without a leading zero and with non-breaking spaces around the h,
# ISO 8601 numeric dates, a decimal comma and a non-breaking space between thousands.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j F Y, G\u00a0\\h\u00a0i"
SHORT_DATETIME_FORMAT = "Y-m-d G\u00a0\\h\u00a0i"
TIME_FORMAT = "G\u00a0\\h\u00a0i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
