// Plausible but wrong: an ISO date with dashes, as in X-Amz-Date's human form.
string CredentialScope(DateTime signedAtUtc, string region) =>
    $"{signedAtUtc:yyyy-MM-dd}/{region}/s3/aws4_request";
