package novatest

// Identities and keys the fake knows. The identities are those Keystone 22
// answered in the recordings (testdata/nova-26.2.2-keypairs.md, Recordings
// "keystone: admin token" and "keystone: demo token"); passwords and tokens,
// which the recordings mask, are the fake's own.
const (
	// UserName is the recorded admin user: admin on project admin. A
	// password token for it is Token.
	UserName = "admin"
	// UserID is UserName's Keystone ID; keypairs created with Token belong
	// to it.
	UserID = "042fcf6326b14dccadb5ad9b582c979a"
	// ProjectName and ProjectID are UserName's project.
	ProjectName = "admin"
	ProjectID   = "ffec877ad56e4a1a91599445d2aefd69"
	// Password is UserName's password.
	Password = "pw-Zq81-FAKEPASSWORD"
	// Token is what Keystone returns in X-Subject-Token for UserName (and
	// for the application credential): distinctive, so that a test can look
	// for it in logs.
	Token = "gAAAAABfAKE-TOKEN-VALUE-e3b0c44298fc1c149afb"

	// OtherUserName is the recorded non-admin user ("demo", member of
	// project demo), whose ID OtherUserID is the "another user" of the
	// 2.10 recordings. Its token is OtherToken.
	OtherUserName = "demo"
	// OtherUserID is OtherUserName's Keystone ID.
	OtherUserID = "99f09abef34647e094da0ffded5b0d62"
	// OtherProjectName and OtherProjectID are OtherUserName's project.
	OtherProjectName = "demo"
	OtherProjectID   = "4f14fe87544342e98ef1279587a1fc21"
	// OtherPassword is OtherUserName's password.
	OtherPassword = "pw-demo-Xk42-FAKEPASSWORD"
	// OtherToken is what Keystone returns for OtherUserName. Nova's policy
	// refuses it another user's keypairs (403), like the recordings show.
	OtherToken = "gAAAAABfAKE-DEMO-TOKEN-5d41402abc4b2a76b971"

	// AppCredentialID and AppCredentialSecret are an application credential
	// of UserName (not in the recordings; it authenticates as UserName).
	AppCredentialID     = "6a9e0c5e7d1b4f0e9f8d7c6b5a4f3e2d"
	AppCredentialSecret = "appcred-SECRET-9c1d4f"
)

// Keys. PublicKey and its fingerprint are recorded (Recording "import
// ed25519 @2.2"). The rest are throwaway test keys made for this package
// only, with their fingerprints as OpenSSH and OpenSSL print them (so that
// a test of the fake compares it with another tool, not with itself):
//
//	ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C Generated-by-Nova -f gen   # GeneratedPrivateKey, GeneratedPublicKey
//	ssh-keygen -q -t ed25519 -N '' -C other -f other                        # OtherPublicKey
//	ssh-keygen -l -E md5 -f KEY.pub                                         # the MD5 fingerprints
//	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout cert.key \
//	    -subj "/CN=novatest fake Nova" -days 36500 -out cert.pem            # Certificate
//	openssl req -x509 -newkey rsa:2048 -nodes -keyout x.key \
//	    -subj "/CN=novatest generated x509" -days 36500 -out x.pem           # GeneratedCertificate
//	openssl pkcs12 -export -inkey x.key -in x.pem -passout pass: | base64 -w0  # GeneratedPKCS12
//	openssl x509 -noout -fingerprint -sha1 -in CERT.pem                     # the SHA-1 fingerprints (lower-cased)
//
// cert.key was then deleted; x.key lives on only inside GeneratedPKCS12.
const (
	// PublicKey is the ed25519 key imported into the real Nova.
	PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	// PublicKeyFingerprint is the fingerprint Nova answered for PublicKey.
	PublicKeyFingerprint = "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da"
	// OtherPublicKeyFingerprint is OtherPublicKey's MD5 fingerprint.
	OtherPublicKeyFingerprint = "ed:93:15:56:ec:d7:bb:20:d5:c3:bc:d2:65:ae:bd:84"
	// GeneratedPublicKeyFingerprint is GeneratedPublicKey's MD5 fingerprint.
	GeneratedPublicKeyFingerprint = "0a:31:6f:af:ca:43:e7:46:ed:a1:23:6a:af:2e:4b:a8"
	// CertificateFingerprint is Certificate's SHA-1 fingerprint.
	CertificateFingerprint = "85:0b:60:6c:67:a8:0f:b8:43:61:43:9c:85:b1:30:5f:0b:b6:c9:bf"
	// GeneratedCertificateFingerprint is GeneratedCertificate's SHA-1
	// fingerprint.
	GeneratedCertificateFingerprint = "72:4e:16:e3:87:1a:bb:cf:6e:a7:3d:09:2e:15:71:18:98:0a:2b:54"
)

// OtherPublicKey is a second ed25519 key, for "the name holds another key".
const OtherPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkFn2VBh9Z1pHsHBJDi/gJBOmErWZZQvNtY+sSFuX8v other"

// Certificate is a self-signed ECDSA P-256 X.509 certificate (valid to
// 2126) to import as a keypair of type x509.
const Certificate = "-----BEGIN CERTIFICATE-----\n" +
	"MIIBkTCCATegAwIBAgIUIpvEiFFhiCi0V9J3Dq8ZGUBkTv4wCgYIKoZIzj0EAwIw\n" +
	"HTEbMBkGA1UEAwwSbm92YXRlc3QgZmFrZSBOb3ZhMCAXDTI2MTEyOTIyNDUwOFoY\n" +
	"DzIxMjYxMTA1MjI0NTA4WjAdMRswGQYDVQQDDBJub3ZhdGVzdCBmYWtlIE5vdmEw\n" +
	"WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASZjCumlDllKB89L+6UYBjmIjZnNMhE\n" +
	"IAdVkT4YJLgMWUlY8Toacrv/ywqOdvmqJ8oUECYPVnyKiYIeIsSpQJlro1MwUTAd\n" +
	"BgNVHQ4EFgQUxQ8UcGN+uajyez7hOv64B3REjXAwHwYDVR0jBBgwFoAUxQ8UcGN+\n" +
	"uajyez7hOv64B3REjXAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF\n" +
	"AiEAmiFuinLKcRbK7n6Kv25imAXaDutCmDMKHzu6tT2b4TYCIEvUkRVfWEKJ/R2r\n" +
	"G/HLbHgCxIUWreOGRReYxEmsYev2\n" +
	"-----END CERTIFICATE-----\n"

// GeneratedPublicKey and GeneratedPrivateKey are what the fake answers when
// it generates an ssh keypair (no public_key, before 2.92): an RSA 2048
// public key line with the comment Nova gives, and its PKCS#1 PEM private
// key, like Recordings "generate @2.1" and "generate @2.2". Every
// generation answers the same pair.
const GeneratedPublicKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC+xPdlLdvwn7MQ5pBBTuDwJNwsjvjaQ7jzO39nN4qfSTTF4ifvk++dwxnrat2JmdivLxR2X1EHaSW9DG0Lv4gBNNTPwd8EhRR5odwHigTwcLaeTNh4/4FUxG7URHfKtSnD4Wwg4clzDNa9MBVt2VJ+tUqGKWTqr5EePTKuemWbtIfHcAVlRbNNUj9rOMa4M/oMnkwAl/KrlNTESbaXfnml8GblTymitRWmAkv09n5alA83SGsO6Oqv2InVVMlVmgBcm+n6y80yCw01pwaQa3hMYykAuqg/AYI6SyQE+phnMQURcD3gFMIrhKBJya3OohLtyOAwRqjYf8oJqu2mIlzr Generated-by-Nova"

// GeneratedPrivateKey is the private half of GeneratedPublicKey.
const GeneratedPrivateKey = "-----BEGIN RSA PRIVATE KEY-----\n" +
	"MIIEpQIBAAKCAQEAvsT3ZS3b8J+zEOaQQU7g8CTcLI742kO48zt/ZzeKn0k0xeIn\n" +
	"75PvncMZ62rdiZnYry8Udl9RB2klvQxtC7+IATTUz8HfBIUUeaHcB4oE8HC2nkzY\n" +
	"eP+BVMRu1ER3yrUpw+FsIOHJcwzWvTAVbdlSfrVKhilk6q+RHj0yrnplm7SHx3AF\n" +
	"ZUWzTVI/azjGuDP6DJ5MAJfyq5TUxEm2l355pfBm5U8porUVpgJL9PZ+WpQPN0hr\n" +
	"Dujqr9iJ1VTJVZoAXJvp+svNMgsNNacGkGt4TGMpALqoPwGCOkskBPqYZzEFEXA9\n" +
	"4BTCK4SgScmtzqIS7cjgMEao2H/KCartpiJc6wIDAQABAoIBAEsrMm5QUSMx0i2d\n" +
	"JAdPzOtjIsx984mReM2CyrNBm+IixuQYNnM9AARSbaKpI60GDW8N5oq0CSoZ4PBq\n" +
	"dodUC4OqLRbGBhnyVDyPLjNcS5DwYMzka8HVr8DWe/MxHWCm3NOdve0A+s9WJkE6\n" +
	"sp7rrIlX5wsRQX4F+vEG3TMJ8IKWxGYggRg7rFRbZqFAXYGlnz7a+9kLrlTeMqmQ\n" +
	"Fhebm8p66W+p8IDCm0yK7tKvFVAsYYMAfLjN11OonCUcU3fheg9KUPHW48ORwIpX\n" +
	"Az3eHZo5If33gqKG+VZaOaqq6hyFwOBWebWc4bFaECw4HyaoB6q/cqvzZ8arHCUj\n" +
	"X/rZ8E0CgYEA3tC9pqt85gK0Su1XoTUGXTWkUYcygPQbBK5p9rGkye/u1b82k8Ff\n" +
	"t97pM93Ex9EEaI5Qm3XPNDIkqNXtHl5BzE0MOxKzNOpAIkUfs2EyYfraxygwUsIW\n" +
	"I3vYK90IdV/JOmNAqQJWOHkDHu0oLhc6YJT67OYBLM8gLg58zYqK8McCgYEA2y5p\n" +
	"S7gi1xh3sHMBJQRBRuzQQ/tuQ3CyzhIHtEhGJ8gkCXFdejMq/FjLMMnvRKYqGw9a\n" +
	"qSLMMsLW9ae1+nXJRFDyWDJ0HB6tK9yhvQ+x1pivKBMBQnf4tcGKniIPuIO04noM\n" +
	"K5HQ9sXOCXNtyqeG4ZTsaQSwKnaKoW0YbwG2lr0CgYEAyPfPxw+v5KoVwesW+dEg\n" +
	"v1uNrPdbZxJFeFB0RMzvjDA75FDGQjjNQ8Pr5RsmzO9KoZ+TNtToofSEOkBR0e1E\n" +
	"PahU2sdAGf8a/44HTLzjO5qOT8mA5HQokbK3RMDlSzCtCFvTS11PNTp4xSE093V9\n" +
	"8vUM6jV+Y9Mh/EiW6rEGJqsCgYEAg3wVGKJu7CA2dPiYwC8MRdL8oTutCvIJoct5\n" +
	"KbKNu4G59Jw4Wn1llRpjUnJhggo4iiEs3vgMDYuKzrV8WrLcOYphx30E4HWapwxl\n" +
	"Tnii07ymnuC/ybMU1Vw0nuaKDcOc+JwEvwJrnA5PqqW/QGo9ZQgkxl9UmzSft3Ut\n" +
	"yjH56fUCgYEAvF7Kn/VRcvBTndxSf4w3dTO7pXUdwnC3BWlAVGUjL3YKo0Dgfazk\n" +
	"fT48G31ESbxLSQ41CLoAIYCpQm4E3oeHydq9KBEhaZGLNV1Q4EJiLLMfPZffkIOy\n" +
	"WC54wHlVlgxPnmJChFrrVjeT4DJw5gZcFL60VnnJe83srLruBiUHDxc=\n" +
	"-----END RSA PRIVATE KEY-----\n"

// GeneratedCertificate and GeneratedPKCS12 are what the fake answers when
// it generates an x509 keypair (type x509, no public_key, 2.2 to 2.91):
// a PEM certificate as public_key and a base64 PKCS#12 (empty password)
// as private_key, like Recording "generate x509 @2.2 (server-side, needs
// openssl binary)".
const GeneratedCertificate = "-----BEGIN CERTIFICATE-----\n" +
	"MIIDJzCCAg+gAwIBAgIUJcGzqXclxLed0mXTkbwAVN+YXLowDQYJKoZIhvcNAQEL\n" +
	"BQAwIjEgMB4GA1UEAwwXbm92YXRlc3QgZ2VuZXJhdGVkIHg1MDkwIBcNMjYxMTI5\n" +
	"MjI0NTI3WhgPMjEyNjExMDUyMjQ1MjdaMCIxIDAeBgNVBAMMF25vdmF0ZXN0IGdl\n" +
	"bmVyYXRlZCB4NTA5MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwPJ3\n" +
	"kZL3VAr1cCZeFyjCDR/llh0YajWYUEXL2QeKUEtTtQPQHc1gBqWsXP8BTBkhBGIC\n" +
	"6un6BSKAZew0X7m6xybEJ+GVLz7RZxRdu6vnyq3DTKW68fyiC6vatKjZ9KAP9nLi\n" +
	"uaV3C5UPORTz4UtNjOTOowhs6W0pwLd/lwB795JFtIYppRd8dHfCDQr8Kt2JgBmb\n" +
	"DcWlTzDDatSSBtudAwS4OlXUaZS2ZbSUhy8WHoilkIOWrBrRVcnwJIncqYi1pKhe\n" +
	"BciKZp/9m01kHs2Uro1D0xHSz4qizFI/Fjk2Z0+neskm9SWBBHnyU4cibZBXvAUv\n" +
	"qEKi0LXmCY7ihP+8iQIDAQABo1MwUTAdBgNVHQ4EFgQUtNLTpUVmLHrrXyekFbnm\n" +
	"wkGEWUgwHwYDVR0jBBgwFoAUtNLTpUVmLHrrXyekFbnmwkGEWUgwDwYDVR0TAQH/\n" +
	"BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAiOtTm1nMh8oY7nu59fnILFZuNJsr\n" +
	"X8Mj8jgaebQ+AgpnDYkjdHUm4B/u5GF6ClZKjAWHDwwmJeEJFiFM9RJRlDOloh1R\n" +
	"Wq3jWBOdt9fF0Hjo64mGfnGcp0nt4kZggLMWZU+j+e+HNtiDsgC15+YfX2ZBQnrl\n" +
	"SmUDU/7yLXThZ+oz67Eh2KV7/uADZs4WGvQlmNiExhdE00GoNLP8PNbvzhTS5fyT\n" +
	"yIRsWgEiIiLZGIkOKc/VzZ0kjmR4AQ/l60/XSfFLSNuIz9+WvV/leCQyzgk1KN9j\n" +
	"T5pKak0wqhAdd0H6L4buCsnzOD1/ufUdJTT9YdFyAtffP8q7GHSR2ZfoGQ==\n" +
	"-----END CERTIFICATE-----\n"

// GeneratedPKCS12 is GeneratedCertificate and its RSA key as base64
// PKCS#12.
const GeneratedPKCS12 = "MIIJ/wIBAzCCCbUGCSqGSIb3DQEHAaCCCaYEggmiMIIJnjCCBBIGCSqGSIb3DQEHBqCCBAMwggP/" +
	"AgEAMIID+AYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAht+h8smxNE" +
	"pgICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEDlP6ZgNbwxr+N6ox/puwcKAggOQtj5Z" +
	"JiGA6srXohxLt/YhEaDyKbP0RLlYJKigMcxyWwFgLtFtn4SBQsy1Z1vqDVmRPtNNw9fe7Qmd0klO" +
	"p1E4NUt2zxiU1MPMZxt+HGJyVVuxJR4lyxRSPMao81YP/yS8905megkVIIofmtFXrj5RaGWW2KMv" +
	"6QJtr45HBkUCVOv7Xfqti9Wt0KE0996+OQtT7NaeMDSdNYDUVlxSfJ5YYVSz2q+9b/tBxKmFUDH7" +
	"WlYfkcUunv6Sv1EorqQi8KelVJ+VMDY0fh0o6SPKzB/e5r4xUS+cNX6QvqJ3qkUxfgnt1KVF+07Q" +
	"UJtwtRc3G19LZma5GTxUFI0SOjEECuPt78mu1d5f4NgBC31uUg9EzFOT4crwiDvX4KBo8fb7jPzR" +
	"HFcEgsLu+3bRFbFUKjdz8iQXRk/q0c6V4w+yoDjbhkrrQO1pmlxtZ4PF7UkJVPQR3uDoHD9nzFgX" +
	"qthM98ti8kbBYTXyc0avKxkB698JO7pLW8HKx0xGJMsd8V4FOLiuLAxvH6ZJBl4S/KOvgOAYULHH" +
	"iF7fjSyGThJ139Fcv7hBs10qBh+Pvu8z6GqYcWFu1EouMFvyZ1TuwsQWQ3lyzukvfFiuEC/GiCMJ" +
	"Sa4EWXhvApHeBZb3fvObHQA1VHzBSKLMhwO/WQFeD8pgNsSfOdohQ76xu/jnF1Dtqa4D6Ic55Ki3" +
	"FOCNa7CPp5zS9rG+et0kexp/8UbrdfnLrl7KqR4S2ZAToJ4PBwlZoLVELdFrPHpHbnusjHdszGKq" +
	"ASxArtGFGTq41sNCCeyII/jRLN5D0PhtgbMjaqn4fUVhwSW4jE7RgruxFTWIP8AXHQt99y6p+MqW" +
	"eP5HRkYRy6Xim3GsP9SXThwvOa8uVKAagpLif9MQHD+ou5+XhxqLHrCzRQm9V9sw3WEeWtO7ykJN" +
	"x9EFJ3fk3X6EI0ZccVuHQVCV+pS9U9Nbotw1ucAeJpQOd28zgQNPC43tgJT5wkfeEBQC2SuNh+9X" +
	"2CzUCCru2AregR8FYxz+YsD2LLzyE+P1tt70ICa4EDizlkyJ1YuSXdedK3v0e5HljTL/Numnf7Jk" +
	"HsFanQultOr7oweps9RT+gzLHv7vAgGmqtNVBWGXfFn7Lla8EydhYp+9bCgyLEr+qrfp+H25Ay50" +
	"vtQvipAN5uGd530cWpuEaXS0VoA77CNe6T5rX0KPQFp2UUgQ83+5gQgHWWtr9Jj/Qo5FM4BMMIIF" +
	"hAYJKoZIhvcNAQcBoIIFdQSCBXEwggVtMIIFaQYLKoZIhvcNAQwKAQKgggUxMIIFLTBXBgkqhkiG" +
	"9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI7o9/eWi2iUYCAggAMAwGCCqGSIb3DQIJBQAwHQYJYIZI" +
	"AWUDBAEqBBAarBhMDd0tOKBMrgME3Q+nBIIE0DCajRSmoi91LSofi3yUnt/HiU1F09zC3G3mo+3T" +
	"g3OGSe1CLSrjURS2tAcIVZCuHuzqeCT/PhuP+993VLqKiI5x4/77A6zEF1XCUEElfbhgG4UzkOrJ" +
	"KMBohFn8o0SlwdyzzTv7ZX5iPr4hOiOdaIEQFh0ySFNra2louZSx3X+wrP8y0sLZIZ6kkv1JDHm+" +
	"Hka/bZElyVaTX99kEnCQhfjXtPgnimZ9Fri7WHXtnj8Dzkzd6T0UjDsyISXJoK0ke2liwNClGBTI" +
	"QRdom4Xho7ymuYo2AOh3Vd9F3FyLRwXVjNt5T6GwYgbeamsqPyNzI5XxrB3E73PVEEux6+WLo05t" +
	"CZMsO8duKHxOiTWpgSxeP9adMpNULFj1zPC13oxD83fyhMd7PL8rfnFI3GVrmrzCwUmFPDhAth5o" +
	"mkQ8f8DF6V7xiHPreHMBGU6wXnp3MRRhL3+5CCND9y2qRRAIrSCiXgSupAFnaS2iuHG5RpsFWE2i" +
	"+ywH5YWVq1kYvpnShofAdR+HDnNg6FtXl7eOKVJtUcBtCyrbgR5ErdQZNkqCCymfXYK1uxyqAJqC" +
	"F5ZCw9vPQYa1lmVJjwj2j62lFtCgoPHMstMow2cnvFrsn5GTDCPiXVkRPYEvkhd/28AvuPAWI31Q" +
	"OGS0GDWR2MuB/utgaVVPI8KxFJQ3EBmiN7WyW5+Bm2apyNAt7WA3FkFPk1WgeHQU5UBrK4+Zg5OA" +
	"chl+fzxZpEqqjQfjEE7SrqwN0rQpU7X7YO3AuHAmsxti50ft2On8Pd97EyMKYegN8LVEK43rx+kH" +
	"N0z5lGOk3e5bbPV17Vc4kCjQZn2TTOjaqeZyNdkxHrPx/TZGWobMndQ7QLSPL80/u3AmrDlKvl5l" +
	"70bwowtHLt8WwEP/s5FWXhGRcF9qhmSPaikZFyEUXY/CqBdgVoEHlxqxP6LGuPB58m2DJOZrJxa6" +
	"oitmD1/FdfuC6CoItxbl+f5XaiwxDNQA9rYEZsS38EiMVsiGjfh3TXO2XeSoUvzpMT0jN5Uwze87" +
	"lmkI3Fy1uBjuqslfgR2GNrX0S0Rty1kMRVMBJas8qORnIkk+ERoXqFLojkNrGMmYIjwMs05cJ5GA" +
	"ogvbCSdkiyu6/NbRB4hCsi/6u07n5o+Fxwx9U6+V2pTqU6V0naro9eH4XV1MlGwSHZYPb49YXxMR" +
	"jzeUH4BBmThSTonLNizIXmXLHILR2w41CXBJqBt5E3MqvvYh1FZo5CXt3/ioNDQS5kEwEkegcGXT" +
	"1psmq95nD9lj4evzKCSMRuKXc8nwVcG4FjMYeiQMdsbPBjr7DHXPj2Meurzcy0baRcgdh7x2VAOs" +
	"W4wMWaWtafBQKitHA0dUqUWugahD+K+5SHq8v5RwRNJ49oTfwobsqM4t8Dd3xfVfw131W8MIOJ2A" +
	"uCHAFXd4ZxMY2Xgejmy0DRrtTuKNFTkZuzOO3L61Kbkm6db+Ch5kg7sX4iEQMfcQBoOAW8vvd0TH" +
	"nhnA/NevsmpmcMM26f2MTWU1JLqyeW0/dVlpMrNEhFJnMU4F/TsjD5MHygd4U2Bbw6FY7FgCvgE2" +
	"Yv6zAFrUfVMVwYENzNgALV7zdXRdj3bHFoiddQS5/LBmxGyaNSMoOrxk6FpAISnOtmQnO3EIk2Ti" +
	"KiUDgftwMSUwIwYJKoZIhvcNAQkVMRYEFHJOFuOHGrvPbqc9CS4VcRiYCitUMEEwMTANBglghkgB" +
	"ZQMEAgEFAAQg8XQpgn1aPM66SmedIIDtnOJLjtE4v87UfPIv3hbMFOIECKWKCUIB+ESmAgIIAA=="
