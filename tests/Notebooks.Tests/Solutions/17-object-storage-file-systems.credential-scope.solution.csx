// The date of the signing time in UTC (yyyyMMdd), region, service, terminator.
string CredentialScope(DateTime signedAtUtc, string region) =>
    $"{signedAtUtc:yyyyMMdd}/{region}/s3/aws4_request";
