// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {OracleHub} from "./OracleHub.sol";

/// @title QRPayment
/// @notice Customers pay merchants' QR orders in an ERC-20 or natively; the amount is a fiat
/// figure converted by the OracleHub. Approved bots settle what is paid to the merchant's beneficiary.
contract QRPayment is Ownable2Step, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    struct Order {
        address creator;
        address token;
        uint256 paidAmount;
        uint256 paidFiat;
        uint256 settledAmount;
        uint256 settledFiat;
    }

    OracleHub public oracle;
    mapping(address => bool) public bots;
    mapping(bytes32 => Order) private _orders;
    /// @notice Paid but not yet settled, per token (address(0) = native).
    mapping(address => uint256) public totalUnsettled;

    /// @dev tokenAmount and fiatAmount are those of this payment; a top-up emits another event.
    event PaymentUpdated(
        address creator,
        string orderId,
        string referenceString,
        address indexed tokenAddress,
        uint256 tokenAmount,
        uint256 fiatAmount,
        bytes32 indexed orderDataHash
    );
    event OrderSettled(
        bytes32 indexed orderDataHash,
        address indexed beneficiary,
        address indexed tokenAddress,
        uint256 tokenAmount,
        uint256 fiatAmount
    );
    event BotStatusChanged(address indexed bot, bool status);
    event OracleUpdated(address indexed previousOracle, address indexed newOracle);

    error ZeroAddress();
    error InvalidAmount();
    error EmptyOrderId();
    error InsufficientPayment(uint256 sent, uint256 required);
    error NotBot(address caller);
    error OrderNotFound(bytes32 orderDataHash);
    error WrongSettlementKind(bytes32 orderDataHash);
    error NothingToSettle(bytes32 orderDataHash);

    constructor(address initialOwner, OracleHub oracle_) Ownable(initialOwner) {
        if (address(oracle_) == address(0)) revert ZeroAddress();
        oracle = oracle_;
        emit OracleUpdated(address(0), address(oracle_));
    }

    modifier onlyBot() {
        if (!bots[msg.sender]) revert NotBot(msg.sender);
        _;
    }

    function payQR(address token, uint256 fiatAmount, string calldata orderId, string calldata referenceString)
        external
        nonReentrant
        whenNotPaused
    {
        if (token == address(0)) revert ZeroAddress();
        uint256 tokenAmount = _quote(token, fiatAmount, orderId);
        bytes32 hash = orderDataHash(orderId, referenceString, token, msg.sender);
        _record(hash, token, tokenAmount, fiatAmount);
        emit PaymentUpdated(msg.sender, orderId, referenceString, token, tokenAmount, fiatAmount, hash);
        IERC20(token).safeTransferFrom(msg.sender, address(this), tokenAmount);
    }

    /// @notice Pays the quoted native amount; anything sent above it is returned.
    function payQRNative(string calldata orderId, string calldata referenceString, uint256 fiatAmount)
        external
        payable
        nonReentrant
        whenNotPaused
    {
        uint256 tokenAmount = _quote(address(0), fiatAmount, orderId);
        if (msg.value < tokenAmount) revert InsufficientPayment(msg.value, tokenAmount);
        bytes32 hash = orderDataHash(orderId, referenceString, address(0), msg.sender);
        _record(hash, address(0), tokenAmount, fiatAmount);
        emit PaymentUpdated(msg.sender, orderId, referenceString, address(0), tokenAmount, fiatAmount, hash);
        if (msg.value > tokenAmount) Address.sendValue(payable(msg.sender), msg.value - tokenAmount);
    }

    function settleQROrder(address _beneficiary, bytes32 _orderDataHash) external onlyBot nonReentrant whenNotPaused {
        (address token, uint256 amount) = _settle(_beneficiary, _orderDataHash, false);
        IERC20(token).safeTransfer(_beneficiary, amount);
    }

    function settleQROrderNative(address _beneficiary, bytes32 _orderDataHash)
        external
        onlyBot
        nonReentrant
        whenNotPaused
    {
        (, uint256 amount) = _settle(_beneficiary, _orderDataHash, true);
        Address.sendValue(payable(_beneficiary), amount);
    }

    // ---------------------------------------------------------------- admin

    function changeBotStatus(address bot, bool status) external onlyOwner {
        if (bot == address(0)) revert ZeroAddress();
        bots[bot] = status;
        emit BotStatusChanged(bot, status);
    }

    function setOracle(OracleHub newOracle) external onlyOwner {
        if (address(newOracle) == address(0)) revert ZeroAddress();
        emit OracleUpdated(address(oracle), address(newOracle));
        oracle = newOracle;
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    function orderDataHash(string calldata orderId, string calldata referenceString, address token, address creator)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(orderId, referenceString, token, creator));
    }

    function getOrder(bytes32 hash) external view returns (Order memory) {
        return _orders[hash];
    }

    function unsettledAmount(bytes32 hash) external view returns (uint256) {
        Order storage o = _orders[hash];
        return o.paidAmount - o.settledAmount;
    }

    // ---------------------------------------------------------------- internals

    function _quote(address token, uint256 fiatAmount, string calldata orderId) private view returns (uint256 amount) {
        if (bytes(orderId).length == 0) revert EmptyOrderId();
        if (fiatAmount == 0) revert InvalidAmount();
        amount = oracle.quote(token, fiatAmount);
        if (amount == 0) revert InvalidAmount();
    }

    function _record(bytes32 hash, address token, uint256 tokenAmount, uint256 fiatAmount) private {
        Order storage o = _orders[hash];
        if (o.creator == address(0)) {
            o.creator = msg.sender;
            o.token = token;
        }
        o.paidAmount += tokenAmount;
        o.paidFiat += fiatAmount;
        totalUnsettled[token] += tokenAmount;
    }

    function _settle(address beneficiary, bytes32 hash, bool native) private returns (address token, uint256 amount) {
        if (beneficiary == address(0)) revert ZeroAddress();
        Order storage o = _orders[hash];
        if (o.creator == address(0)) revert OrderNotFound(hash);
        token = o.token;
        if ((token == address(0)) != native) revert WrongSettlementKind(hash);
        amount = o.paidAmount - o.settledAmount;
        if (amount == 0) revert NothingToSettle(hash);
        uint256 fiat = o.paidFiat - o.settledFiat;
        o.settledAmount = o.paidAmount;
        o.settledFiat = o.paidFiat;
        totalUnsettled[token] -= amount;
        emit OrderSettled(hash, beneficiary, token, amount, fiat);
    }
}
