"""Every check ``oai check`` makes, by name: the catalogue the report and the README share.

A result must name a check listed here (a typo is a bug, not a new check), and each
name says in one line what passing means. Names are stable: ``--json`` output and the
tests refer to them. ``WARNINGS`` are the checks that only ever warn: rules of the
spec phrased "should", aggregators' recommendations, and checks that could not run.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    # Every response.
    "http.status": "every OAI-PMH request, errors included, is answered with HTTP 200",
    "http.content_type": "every response has the content type text/xml",
    "http.retry_after": "a 503 carries Retry-After and the request succeeds when retried",
    "http.post": "each verb answers a form-encoded POST as it answers the same GET",
    "http.compression": "each compression Identify advertises gives the same document",
    "xml.wellformed": "the body is well-formed XML without a DTD",
    "xml.encoding": "the document is encoded in UTF-8",
    "schema.response": "every response is valid against OAI-PMH.xsd",
    "envelope.schema_location": "the root names OAI-PMH.xsd in xsi:schemaLocation",
    "envelope.request": "<request> echoes the arguments (none for badVerb and badArgument)",
    "envelope.request_url": "<request> holds the baseURL",
    "envelope.response_date": "responseDate is the time of the response (within 10 minutes)",
    # Identify.
    "identify.base_url": "Identify's baseURL is the URL checked",
    "identify.granularity": "every datestamp has the granularity Identify declares",
    "identify.earliest": "no datestamp is earlier than earliestDatestamp",
    "identify.earliest_exact": "earliestDatestamp is the earliest datestamp harvested",
    "identify.deleted_record": "deletedRecord is not 'no' when deleted records are served",
    "identify.sample_identifier": "the oai-identifier sampleIdentifier is served by GetRecord",
    "identify.oai_identifier": "identifiers follow the oai-identifier the repository declares",
    "schema.description": "each description is valid against its schema",
    # Formats and records.
    "formats.oai_dc": "ListMetadataFormats offers oai_dc in its namespace",
    "formats.unique": "each metadataPrefix is listed once",
    "formats.per_record": "ListMetadataFormats?identifier= lists what the record is served in",
    "schema.metadata": "every metadata element is valid against its format's schema",
    "schema.unavailable": "the schema of each format and description could be found",
    "records.namespace": "metadata is in the namespace ListMetadataFormats gives its format",
    "records.deleted": "deleted records carry no metadata and the others do",
    "records.get_record": "GetRecord answers with the header and metadata the lists show",
    # Lists and resumption tokens.
    "lists.cursor": "each page's cursor counts the items sent before it",
    "lists.complete_list_size": "completeListSize is the number of items in the whole list",
    "lists.resumption": "each resumptionToken issued continues its list, and the list ends",
    "lists.repeated": "no identifier appears twice in one list",
    "lists.last_token": "the last page of a multi-page list has an empty resumptionToken",
    "lists.agree": "ListIdentifiers and ListRecords list the same records, same headers",
    "tokens.idempotent": "the same resumptionToken gives the same page again",
    "tokens.tampered": "an altered resumptionToken is refused with badResumptionToken",
    "tokens.cross_verb": "a token of one list verb is refused by the other",
    "tokens.expiration": "a token's expirationDate lies after the responseDate",
    # Error conditions.
    "errors.badVerb": "missing, repeated and unknown verbs give badVerb",
    "errors.badArgument": "missing, unknown, repeated, malformed arguments give badArgument",
    "errors.badResumptionToken": "a garbled resumptionToken gives badResumptionToken",
    "errors.cannotDisseminateFormat": "unknown formats, and formats a record lacks, are refused",
    "errors.idDoesNotExist": "an unknown identifier gives idDoesNotExist",
    "errors.noRecordsMatch": "an empty window or set gives noRecordsMatch",
    "errors.noSetHierarchy": "a repository without sets answers set requests noSetHierarchy",
    "errors.noMetadataFormats": "noMetadataFormats is only given for an item with no format",
    "errors.allowed": "each error code is one the verb may return",
    # Sets and dates.
    "sets.list": "ListSets lists each setSpec once",
    "sets.membership": "set=S lists exactly the records whose headers name S or a subset",
    "sets.hierarchy": "a record in a:b is listed in set a",
    "sets.declared": "every setSpec in a header is declared by ListSets",
    "dates.day_window": "from=D&until=D lists exactly the records of day D",
    "dates.seconds_window": "windows to the second list exactly the records inside them",
    # Aggregators.
    "driver.batch_size": "list pages hold 100 to 500 items (DRIVER, BASE)",
    "driver.dc_mandatory": "oai_dc records hold DRIVER's mandatory elements",
    "base.incremental": "an incremental harvest from a day lists every record since",
    "openaire.mandatory": "oai_openaire records hold OpenAIRE Literature v4's mandatory fields",
}

#: Checks whose findings are warnings, never failures.
WARNINGS: frozenset[str] = frozenset(
    {
        "envelope.response_date",
        "identify.earliest_exact",
        "identify.oai_identifier",
        "schema.unavailable",
        "sets.declared",
        "driver.batch_size",
        "driver.dc_mandatory",
    }
)
