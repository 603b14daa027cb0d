"""`vcdtpm register` and `vcdtpm unregister`: the service as a Cloud Director external endpoint."""

from __future__ import annotations

from vcdtpm.domain.errors import Invalid


def add_parsers(sub) -> None:
    register = sub.add_parser(
        "register",
        help="register the service in Cloud Director (/ext-api/vcdtpm/...)",
        description="Trust the service's certificate in Cloud Director, then create or update its external "
        "endpoint and API filter, so that https://<vcd>/ext-api/vcdtpm/<path> reaches <endpoint-url>/<path>. "
        "Uses the provider account of the configuration's cloud_director; running it again changes only "
        "what differs.",
    )
    register.add_argument("--config", help="the service's configuration file (default: $VCDTPM_CONFIG)")
    register.add_argument(
        "--endpoint-url", required=True, help="where Cloud Director reaches the service (https://...)"
    )
    register.add_argument("--certificate", help="the service's PEM certificate (default: read from --endpoint-url)")
    register.set_defaults(run=_register)
    unregister = sub.add_parser("unregister", help="remove the service's API filter and external endpoint")
    unregister.add_argument("--config", help="the service's configuration file (default: $VCDTPM_CONFIG)")
    unregister.set_defaults(run=_unregister)


def _register(args) -> int:
    from vcdtpm.adapters.vcd.extension import fetch_certificate, validate_endpoint_url

    validate_endpoint_url(args.endpoint_url)
    if args.certificate:
        try:
            with open(args.certificate, encoding="ascii") as source:
                pem = source.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid("certificate", f"{args.certificate} cannot be read ({exc})") from None
    else:
        pem = fetch_certificate(args.endpoint_url)
    with _registrar(args.config) as registrar:
        registrar.register(args.endpoint_url, pem)
    return 0


def _unregister(args) -> int:
    with _registrar(args.config) as registrar:
        registrar.unregister()
    return 0


class _registrar:
    """A Registrar logged in with the configuration's provider account, logged out afterwards."""

    def __init__(self, config_path: str | None):
        from vcdtpm.adapters.vcd.extension import CloudApi, ExtensionIdentity, Registrar
        from vcdtpm.config import load_config

        config = load_config(config_path)
        vcd = config.cloud_director
        if vcd is None:
            raise Invalid("cloud_director", "is required: register talks to a real Cloud Director")
        verify: bool | str = vcd.ca_bundle if (vcd.verify_tls and vcd.ca_bundle) else vcd.verify_tls
        self.api = CloudApi(vcd.url, verify=verify, api_version=config.api_version)
        self.api.login(vcd.user, vcd.password)
        self.registrar = Registrar(self.api, ExtensionIdentity(), say=lambda line: print(line, flush=True))

    def __enter__(self):
        return self.registrar

    def __exit__(self, *_):
        self.api.logout()
