"""Partner agencies joining the program: the public "join" page and its request form, and IPO staff's
review of the requests. Approving a request creates the agency and invites its first coordinator,
which is why this lives in accounts (agencies, below it, holds the PartnerRequest model and may not
send email or make logins)."""
