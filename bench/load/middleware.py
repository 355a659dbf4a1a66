"""Load test only (bench.load.settings): REMOTE_ADDR from the X-Load-Test-Address header."""

import ipaddress

HEADER = "HTTP_X_LOAD_TEST_ADDRESS"


class SimulatedAddress:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        claimed = request.META.get(HEADER)
        if claimed and request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1"):
            try:
                if ipaddress.ip_address(claimed) in ipaddress.ip_network("10.0.0.0/8"):
                    request.META["REMOTE_ADDR"] = claimed
            except ValueError:
                pass
        return self.get_response(request)
