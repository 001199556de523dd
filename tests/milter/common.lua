-- Helpers shared by the miltertest scenarios (loaded with dofile).
-- Globals set by the driver with -D: sock, fixtures.

function check(cond, what)
	if not cond then
		error(what, 2)
	end
end

-- Run body(); on failure print the reason (miltertest swallows error()
-- text) and exit non-zero.
function run(body)
	local ok, err = pcall(body)
	if not ok then
		io.stderr:write("FAIL: " .. tostring(err) .. "\n")
		os.exit(1)
	end
end

function connect()
	local conn = mt.connect(sock, 40, 0.25)
	check(conn ~= nil, "cannot connect to " .. sock)
	check(mt.negotiate(conn, nil, nil, nil) == nil, "negotiate failed")
	return conn
end

-- An .eml file as a list of {name, value} headers and a CRLF body.
function read_message(name)
	local f = assert(io.open(fixtures .. "/" .. name, "rb"))
	local text = f:read("*a"):gsub("\r\n", "\n")
	f:close()
	local head, body = text:match("^(.-)\n\n(.*)$")
	local headers = {}
	for line in (head .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") and #headers > 0 then
			headers[#headers].value = headers[#headers].value .. "\r\n" .. line
		else
			local n, v = line:match("^([^:]+):[ \t]*(.*)$")
			table.insert(headers, { name = n, value = v })
		end
	end
	return headers, body:gsub("\n", "\r\n")
end

-- Send one message to rcpt; returns the reply that ended it and the stage
-- ("rcpt", "data", "header", "eoh", "body" or "eom").
function send_message(conn, rcpt, name)
	local headers, body = read_message(name)
	check(mt.rcptto(conn, rcpt) == nil, "rcptto failed")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		return mt.getreply(conn), "rcpt"
	end
	check(mt.data(conn) == nil, "data failed")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		return mt.getreply(conn), "data"
	end
	for _, h in ipairs(headers) do
		check(mt.header(conn, h.name, h.value) == nil, "header " .. h.name .. " failed")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn), "header"
		end
	end
	check(mt.eoh(conn) == nil, "eoh failed")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		return mt.getreply(conn), "eoh"
	end
	-- MTAs send the body in chunks of up to 64 KiB
	local pos = 1
	while pos <= #body do
		check(mt.bodystring(conn, body:sub(pos, pos + 65535)) == nil, "body failed")
		pos = pos + 65536
		local r = mt.getreply(conn)
		if r == SMFIR_SKIP then
			break
		end
		if r ~= SMFIR_CONTINUE then
			return r, "body"
		end
	end
	check(mt.eom(conn) == nil, "eom failed")
	return mt.getreply(conn), "eom"
end

-- Send and insist on the reply and stage.
function expect(conn, rcpt, name, want_reply, want_stage)
	local r, stage = send_message(conn, rcpt, name)
	check(r == want_reply and stage == want_stage,
	      string.format("%s: got reply %s at %s, want %s at %s", name, tostring(r), stage,
	                    tostring(want_reply), want_stage))
end

-- The milter asks for SMFIP_HDR_LEADSPC, so the values it adds carry
-- their leading space: compared without it.
function status_header(conn, n)
	local v = mt.getheader(conn, "TLS-Report-Status", n)
	return v ~= nil and v:gsub("^ ", "") or nil
end

function expect_status(conn, n, pattern)
	local v = status_header(conn, n)
	check(v ~= nil, "no TLS-Report-Status #" .. n)
	check(v:match(pattern), "TLS-Report-Status #" .. n .. " is '" .. v .. "', want " .. pattern)
end
