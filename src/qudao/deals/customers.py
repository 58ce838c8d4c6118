"""Who the customer of a deal is, as the keys that protect it.

A customer is recognised by its web domain (from a website or from the part after the @ of
an e-mail address) and by its tax id. Domains of free-mail providers identify nobody's
company, so an address at such a domain protects that exact address instead."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.partners.dedupe import normalize_domain

# Mailbox providers whose addresses belong to people, not to the customer's company.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.jp", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
    "mail.ru", "yandex.ru", "yandex.com", "zoho.com", "fastmail.com", "hey.com",
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com", "21cn.com",
    "naver.com", "daum.net", "hanmail.net",
})
_TAX_SEPARATORS = re.compile(r"[\s\-./_]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{4,253}}$){_LABEL}(?:\.{_LABEL})+$")
BAD_WEBSITE = N_("Enter the customer's website as a domain or an address, such as "
                 "acme.cn or https://www.acme.cn.")
NEEDS_KEY = N_("Give the customer's website, a company e-mail address or its tax id: "
               "one of them is needed to protect the customer.")


def ascii_host(host: str) -> str:
    """An internationalised domain in its ASCII form, so that 例子.中国 and
    xn--fsqu00a.xn--fiqs8s are one customer."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def domain_of(value: str | None) -> str | None:
    """The lower-case host of a website or of an e-mail address, without ``www.``, port
    or path."""
    try:
        host = normalize_domain(value)
    except ValueError:  # a malformed port or address
        host = None
        if value and value.strip():
            raise Unprocessable(BAD_WEBSITE, field="customer_website") from None
    if not host:
        return None
    ascii_form = ascii_host(host)
    if not _HOST.match(ascii_form):
        raise Unprocessable(BAD_WEBSITE, field="customer_website")
    return ascii_form


def is_free_mail(domain: str | None) -> bool:
    return domain is not None and domain in FREE_MAIL_DOMAINS


def normalize_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = unicodedata.normalize("NFKC", value).strip().lower()
    if not _EMAIL.match(email):
        raise Unprocessable(N_("Enter a valid e-mail address, such as name@example.com."),
                            field="customer_email")
    local, _, host = email.rpartition("@")
    return f"{local}@{ascii_host(host)}"


def normalize_tax_id(value: str | None) -> str | None:
    """Upper case, without spaces, dashes, dots, slashes or underscores."""
    if value is None:
        return None
    folded = _TAX_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    return folded or None


@dataclass(frozen=True, slots=True)
class Customer:
    """A deal's customer identifiers, normalised; ``keys`` are what the claims hold."""

    domain: str | None
    email: str | None
    tax_id: str | None
    keys: tuple[str, ...]
    # The input each key came from ("customer_website", "customer_email", "customer_tax_id").
    fields: tuple[str, ...]

    def field_of(self, key: str) -> str | None:
        return dict(zip(self.keys, self.fields, strict=True)).get(key)


def identify(website: str | None, email: str | None, tax_id: str | None) -> Customer:
    """The protection keys of a customer: its company domain (from the website, and from a
    company e-mail address), its e-mail address when that is at a free-mail provider, and
    its tax id. At least one is needed."""
    address = normalize_email(email)
    email_domain = address.rpartition("@")[2] if address else None
    site_domain = domain_of(website)
    if site_domain is not None and is_free_mail(site_domain):
        raise Unprocessable(N_("%(domain)s is a free-mail provider, not the customer's "
                               "website. Give the company's own website, or its e-mail "
                               "address."), field="customer_website", domain=site_domain)
    company_domain = site_domain or (None if is_free_mail(email_domain) else email_domain)
    keys: dict[str, str] = {}
    if company_domain:
        keys[f"domain:{company_domain}"] = "customer_website" if site_domain \
            else "customer_email"
    if email_domain and not is_free_mail(email_domain) and email_domain != company_domain:
        keys[f"domain:{email_domain}"] = "customer_email"
    if address and is_free_mail(email_domain):
        keys[f"email:{address}"] = "customer_email"
    tax = normalize_tax_id(tax_id)
    if tax:
        keys[f"tax:{tax}"] = "customer_tax_id"
    if not keys:
        raise Unprocessable(NEEDS_KEY, field="customer_website")
    return Customer(domain=company_domain, email=address, tax_id=tax, keys=tuple(keys),
                    fields=tuple(keys.values()))
