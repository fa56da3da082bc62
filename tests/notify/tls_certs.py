"""Throw-away certificates for TLS tests: a test CA and server certificates it signs.

Made with the ``cryptography`` package when it is installed, else with the ``openssl`` command;
:func:`make_certs` raises :class:`CertToolMissing` when neither exists (the tests then skip).
"""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


class CertToolMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerCert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@dataclass(frozen=True)
class CertSet:
    ca: Path  # the test CA's certificate (PEM): what a coordinator would set as "trusted certificate"
    ca_key: Path  # the CA's private key (a file a coordinator must NOT be allowed to pick)
    local: ServerCert  # for 127.0.0.1 and localhost, signed by the CA
    other_name: ServerCert  # for mail.other.example only, signed by the CA (host-name mismatch)
    tool: str


def make_certs(folder: Path, tool: str | None = None) -> CertSet:
    """``tool``: None (cryptography, else openssl), "cryptography" or "openssl"."""
    folder.mkdir(parents=True, exist_ok=True)
    if tool in (None, "cryptography"):
        try:
            import cryptography  # noqa: F401
        except ImportError:
            if tool == "cryptography":
                raise CertToolMissing("the 'cryptography' package is not installed") from None
        else:
            return _with_cryptography(folder)
    if shutil.which("openssl") is None:
        raise CertToolMissing("neither the 'cryptography' package nor the 'openssl' command is available "
                              "to make a test certificate")
    return _with_openssl(folder)


# ---------------------------------------------------------------------------
def _with_cryptography(folder: Path) -> CertSet:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key, path):
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(name("ATO Test Institution CA")).issuer_name(
        name("ATO Test Institution CA")).public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    ca_path, ca_key_path = folder / "ca.pem", folder / "ca.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    write_key(ca_key, ca_key_path)

    def leaf(stem, dns, ips):
        key = ec.generate_private_key(ec.SECP256R1())
        san = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        cert = (x509.CertificateBuilder().subject_name(name(dns[0])).issuer_name(ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
                .add_extension(x509.SubjectAlternativeName(san), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        write_key(key, key_path)
        return ServerCert(cert_path, key_path)

    return CertSet(ca_path, ca_key_path, leaf("local", ["localhost"], ["127.0.0.1"]),
                   leaf("other", ["mail.other.example"], []), "cryptography")


# ---------------------------------------------------------------------------
def _openssl(*args, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _with_openssl(folder: Path) -> CertSet:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=ATO Test Institution CA", "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
             "-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash", cwd=folder)

    def leaf(stem, dns, ips):
        san = ",".join([f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips])
        (folder / f"{stem}.ext").write_text(
            f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
        _openssl("req", *ec, "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", f"/CN={dns[0]}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{stem}.pem", "-days", "2", "-sha256", "-extfile", f"{stem}.ext", cwd=folder)
        return ServerCert(folder / f"{stem}.pem", folder / f"{stem}.key")

    return CertSet(folder / "ca.pem", folder / "ca.key", leaf("local", ["localhost"], ["127.0.0.1"]),
                   leaf("other", ["mail.other.example"], []), "openssl")
