// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title BookingEscrow
/// @notice Holds a customer's stablecoin payment for a service booking until the service is
/// completed (split between provider, platform and inviter) or cancelled (split signed by the backend).
contract BookingEscrow is Ownable2Step, Pausable, ReentrancyGuard, EIP712 {
    using SafeERC20 for IERC20;

    struct BookingAuthorization {
        bytes32 bookingId;
        address customer;
        address provider;
        address inviter;
        uint256 amount;
        uint256 platformFeeRate;
        uint256 inviterFeeRate;
        uint256 expiry;
        uint256 nonce;
    }

    struct CancellationAuthorization {
        bytes32 bookingId;
        uint256 customerAmount;
        uint256 providerAmount;
        uint256 platformAmount;
        uint256 inviterAmount;
        string reason;
        uint256 expiry;
        uint256 nonce;
    }

    enum Status {
        None,
        Paid,
        Completed,
        Cancelled
    }

    struct Booking {
        address customer;
        address provider;
        address inviter;
        uint256 amount;
        uint256 platformFeeRate;
        uint256 inviterFeeRate;
        uint64 paidAt;
        uint64 autoCompleteAt;
        Status status;
    }

    bytes32 public constant BOOKING_AUTHORIZATION_TYPEHASH = keccak256(
        "BookingAuthorization(bytes32 bookingId,address customer,address provider,address inviter,uint256 amount,uint256 platformFeeRate,uint256 inviterFeeRate,uint256 expiry,uint256 nonce)"
    );
    bytes32 public constant CANCELLATION_AUTHORIZATION_TYPEHASH = keccak256(
        "CancellationAuthorization(bytes32 bookingId,uint256 customerAmount,uint256 providerAmount,uint256 platformAmount,uint256 inviterAmount,string reason,uint256 expiry,uint256 nonce)"
    );
    uint256 public constant BPS = 10_000;
    uint256 public constant MAX_PLATFORM_FEE_RATE = 2_000;
    uint256 public constant MAX_INVITER_FEE_RATE = 1_000;
    uint256 public constant MAX_AUTO_COMPLETE_DELAY = 365 days;

    IERC20 public immutable paymentToken;
    address public signer;
    address public platformWallet;
    uint256 public autoCompleteDelay;
    /// @notice Sum of the amounts of bookings still in escrow (status Paid).
    uint256 public totalEscrowed;

    mapping(address => bool) public operators;
    /// @notice signer => nonce => used. Booking and cancellation authorizations share the space.
    mapping(address => mapping(uint256 => bool)) public usedNonces;
    /// @notice Everything an account has been paid out of escrow as provider, inviter or platform.
    mapping(address => uint256) public earnings;
    mapping(bytes32 => Booking) private _bookings;

    event BookingCreatedAndPaid(
        bytes32 indexed bookingId,
        address indexed customer,
        address indexed provider,
        address inviter,
        uint256 amount,
        uint256 platformFeeRate,
        uint256 inviterFeeRate
    );
    event ServiceCompleted(
        bytes32 indexed bookingId, address indexed provider, uint256 providerAmount, uint256 platformFee, uint256 inviterFee
    );
    event BookingCancelled(
        bytes32 indexed bookingId,
        address indexed cancelledBy,
        uint256 customerAmount,
        uint256 providerAmount,
        uint256 platformAmount,
        uint256 inviterAmount,
        string reason
    );
    event SignerUpdated(address indexed previousSigner, address indexed newSigner);
    event OperatorUpdated(address indexed operator, bool status);
    event PlatformWalletUpdated(address indexed previousWallet, address indexed newWallet);
    event AutoCompleteDelayUpdated(uint256 previousDelay, uint256 newDelay);

    error ZeroAddress();
    error InvalidAmount();
    error AuthorizationExpired(uint256 expiry);
    error NonceAlreadyUsed(uint256 nonce);
    error InvalidSignature(address recovered);
    error PlatformFeeRateTooHigh(uint256 rate);
    error InviterFeeRateTooHigh(uint256 rate);
    error InviterFeeWithoutInviter();
    error BookingAlreadyExists(bytes32 bookingId);
    error BookingNotPaid(bytes32 bookingId);
    error NotCustomer(address caller);
    error NotCustomerOrProvider(address caller);
    error NotCustomerOrOperator(address caller);
    error NotOwnerOrOperator(address caller);
    error AutoCompleteNotReached(uint256 autoCompleteAt);
    error SplitMismatch(uint256 splitTotal, uint256 amount);
    error InviterAmountWithoutInviter();
    error DelayTooLong(uint256 delay);

    constructor(address initialOwner, IERC20 token, address signer_, address platformWallet_, uint256 autoCompleteDelay_)
        Ownable(initialOwner)
        EIP712("BookingEscrow", "1")
    {
        if (address(token) == address(0) || signer_ == address(0) || platformWallet_ == address(0)) revert ZeroAddress();
        if (autoCompleteDelay_ > MAX_AUTO_COMPLETE_DELAY) revert DelayTooLong(autoCompleteDelay_);
        paymentToken = token;
        signer = signer_;
        platformWallet = platformWallet_;
        autoCompleteDelay = autoCompleteDelay_;
        emit SignerUpdated(address(0), signer_);
        emit PlatformWalletUpdated(address(0), platformWallet_);
        emit AutoCompleteDelayUpdated(0, autoCompleteDelay_);
    }

    // ---------------------------------------------------------------- customer flows

    function createAndPayBooking(BookingAuthorization calldata auth, bytes calldata signature)
        external
        nonReentrant
        whenNotPaused
    {
        if (msg.sender != auth.customer) revert NotCustomer(msg.sender);
        if (auth.provider == address(0)) revert ZeroAddress();
        if (auth.amount == 0) revert InvalidAmount();
        if (auth.platformFeeRate > MAX_PLATFORM_FEE_RATE) revert PlatformFeeRateTooHigh(auth.platformFeeRate);
        if (auth.inviterFeeRate > MAX_INVITER_FEE_RATE) revert InviterFeeRateTooHigh(auth.inviterFeeRate);
        if (auth.inviter == address(0) && auth.inviterFeeRate != 0) revert InviterFeeWithoutInviter();
        if (_bookings[auth.bookingId].status != Status.None) revert BookingAlreadyExists(auth.bookingId);
        _useAuthorization(_hashBooking(auth), signature, auth.expiry, auth.nonce);

        uint64 now_ = uint64(block.timestamp);
        _bookings[auth.bookingId] = Booking({
            customer: auth.customer,
            provider: auth.provider,
            inviter: auth.inviter,
            amount: auth.amount,
            platformFeeRate: auth.platformFeeRate,
            inviterFeeRate: auth.inviterFeeRate,
            paidAt: now_,
            autoCompleteAt: now_ + uint64(autoCompleteDelay),
            status: Status.Paid
        });
        totalEscrowed += auth.amount;

        emit BookingCreatedAndPaid(
            auth.bookingId, auth.customer, auth.provider, auth.inviter, auth.amount, auth.platformFeeRate, auth.inviterFeeRate
        );
        paymentToken.safeTransferFrom(msg.sender, address(this), auth.amount);
    }

    /// @notice The customer confirms the service; an operator may do it once the auto-complete time has passed.
    function completeService(bytes32 bookingId) external nonReentrant whenNotPaused {
        Booking storage b = _bookings[bookingId];
        if (b.status != Status.Paid) revert BookingNotPaid(bookingId);
        if (msg.sender != b.customer) {
            if (!operators[msg.sender]) revert NotCustomerOrOperator(msg.sender);
            if (block.timestamp < b.autoCompleteAt) revert AutoCompleteNotReached(b.autoCompleteAt);
        }
        (uint256 providerAmount, uint256 platformFee, uint256 inviterFee) =
            splitCompletion(b.amount, b.platformFeeRate, b.inviterFeeRate);
        b.status = Status.Completed;
        totalEscrowed -= b.amount;

        emit ServiceCompleted(bookingId, b.provider, providerAmount, platformFee, inviterFee);
        _payOut(b.provider, providerAmount);
        _payOut(platformWallet, platformFee);
        _payOut(b.inviter, inviterFee);
    }

    function cancelBooking(CancellationAuthorization calldata auth, bytes calldata signature)
        external
        nonReentrant
        whenNotPaused
    {
        Booking storage b = _bookings[auth.bookingId];
        if (b.status != Status.Paid) revert BookingNotPaid(auth.bookingId);
        if (msg.sender != b.customer && msg.sender != b.provider) revert NotCustomerOrProvider(msg.sender);
        uint256 total = auth.customerAmount + auth.providerAmount + auth.platformAmount + auth.inviterAmount;
        if (total != b.amount) revert SplitMismatch(total, b.amount);
        if (b.inviter == address(0) && auth.inviterAmount != 0) revert InviterAmountWithoutInviter();
        _useAuthorization(_hashCancellation(auth), signature, auth.expiry, auth.nonce);

        b.status = Status.Cancelled;
        totalEscrowed -= b.amount;

        emit BookingCancelled(
            auth.bookingId,
            msg.sender,
            auth.customerAmount,
            auth.providerAmount,
            auth.platformAmount,
            auth.inviterAmount,
            auth.reason
        );
        if (auth.customerAmount != 0) paymentToken.safeTransfer(b.customer, auth.customerAmount);
        _payOut(b.provider, auth.providerAmount);
        _payOut(platformWallet, auth.platformAmount);
        _payOut(b.inviter, auth.inviterAmount);
    }

    /// @notice Full refund to the customer. Deliberately allowed while paused: it is the way money
    /// leaves escrow when the contract has been stopped.
    function emergencyCancelBooking(bytes32 bookingId, string calldata reason) external nonReentrant {
        if (msg.sender != owner() && !operators[msg.sender]) revert NotOwnerOrOperator(msg.sender);
        Booking storage b = _bookings[bookingId];
        if (b.status != Status.Paid) revert BookingNotPaid(bookingId);
        b.status = Status.Cancelled;
        totalEscrowed -= b.amount;
        emit BookingCancelled(bookingId, msg.sender, b.amount, 0, 0, 0, reason);
        paymentToken.safeTransfer(b.customer, b.amount);
    }

    // ---------------------------------------------------------------- views

    function getBooking(bytes32 bookingId) external view returns (Booking memory) {
        return _bookings[bookingId];
    }

    /// @notice Fees round down; the provider receives the remainder, so no unit is ever stranded.
    function splitCompletion(uint256 amount, uint256 platformFeeRate, uint256 inviterFeeRate)
        public
        pure
        returns (uint256 providerAmount, uint256 platformFee, uint256 inviterFee)
    {
        platformFee = amount * platformFeeRate / BPS;
        inviterFee = amount * inviterFeeRate / BPS;
        providerAmount = amount - platformFee - inviterFee;
    }

    function hashBookingAuthorization(BookingAuthorization calldata auth) external pure returns (bytes32) {
        return _hashBooking(auth);
    }

    function hashCancellationAuthorization(CancellationAuthorization calldata auth) external pure returns (bytes32) {
        return _hashCancellation(auth);
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- admin

    function setSigner(address newSigner) external onlyOwner {
        if (newSigner == address(0)) revert ZeroAddress();
        emit SignerUpdated(signer, newSigner);
        signer = newSigner;
    }

    function setOperator(address operator, bool status) external onlyOwner {
        if (operator == address(0)) revert ZeroAddress();
        operators[operator] = status;
        emit OperatorUpdated(operator, status);
    }

    function setPlatformWallet(address newWallet) external onlyOwner {
        if (newWallet == address(0)) revert ZeroAddress();
        emit PlatformWalletUpdated(platformWallet, newWallet);
        platformWallet = newWallet;
    }

    function setAutoCompleteDelay(uint256 newDelay) external onlyOwner {
        if (newDelay > MAX_AUTO_COMPLETE_DELAY) revert DelayTooLong(newDelay);
        emit AutoCompleteDelayUpdated(autoCompleteDelay, newDelay);
        autoCompleteDelay = newDelay;
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    // ---------------------------------------------------------------- internals

    function _useAuthorization(bytes32 structHash, bytes calldata signature, uint256 expiry, uint256 nonce) private {
        if (block.timestamp > expiry) revert AuthorizationExpired(expiry);
        address signer_ = signer;
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer_) revert InvalidSignature(recovered);
        if (usedNonces[signer_][nonce]) revert NonceAlreadyUsed(nonce);
        usedNonces[signer_][nonce] = true;
    }

    function _payOut(address to, uint256 amount) private {
        if (amount == 0) return;
        earnings[to] += amount;
        paymentToken.safeTransfer(to, amount);
    }

    function _hashBooking(BookingAuthorization calldata a) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BOOKING_AUTHORIZATION_TYPEHASH,
                a.bookingId,
                a.customer,
                a.provider,
                a.inviter,
                a.amount,
                a.platformFeeRate,
                a.inviterFeeRate,
                a.expiry,
                a.nonce
            )
        );
    }

    function _hashCancellation(CancellationAuthorization calldata a) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                CANCELLATION_AUTHORIZATION_TYPEHASH,
                a.bookingId,
                a.customerAmount,
                a.providerAmount,
                a.platformAmount,
                a.inviterAmount,
                keccak256(bytes(a.reason)),
                a.expiry,
                a.nonce
            )
        );
    }
}
